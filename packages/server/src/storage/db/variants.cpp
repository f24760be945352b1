#include "storage/db/variants.hpp"

#include <utility>

#include "storage/db/repositories.hpp"
#include "storage/db/soci_optional.hpp"

namespace stepwise::storage {

namespace {

struct VariantRow {
  VariantRecord rec;
  int preferred = 0;
};

void BindVariant(soci::statement& st, VariantRow& r) {
  st.exchange(soci::into(r.rec.id));
  st.exchange(soci::into(r.rec.step_id));
  st.exchange(soci::into(r.rec.selector));
  st.exchange(soci::into(r.rec.selectors_json));
  st.exchange(soci::into(r.rec.element_meta_json));
  st.exchange(soci::into(r.rec.source));
  st.exchange(soci::into(r.rec.status));
  st.exchange(soci::into(r.preferred));
  st.exchange(soci::into(r.rec.method));
  st.exchange(soci::into(r.rec.confidence));
  st.exchange(soci::into(r.rec.page_state_hash));
  st.exchange(soci::into(r.rec.created_at));
  st.exchange(soci::into(r.rec.created_by));
}

struct VoteRow {
  HealVoteRecord rec;
  int admin = 0;
};

void BindVote(soci::statement& st, VoteRow& r) {
  st.exchange(soci::into(r.rec.step_id));
  st.exchange(soci::into(r.rec.page_state_hash));
  st.exchange(soci::into(r.rec.selector));
  st.exchange(soci::into(r.rec.user_id));
  st.exchange(soci::into(r.rec.user_name));
  st.exchange(soci::into(r.rec.vote));
  st.exchange(soci::into(r.rec.how));
  st.exchange(soci::into(r.admin));
  st.exchange(soci::into(r.rec.created_at));
}

constexpr const char* kVoteColumns =
    "v.step_id, v.page_state_hash, v.selector, v.user_id, u.name, v.vote, v.how, v.admin, v.created_at";
// Newest first; ties (one request time) in a stable order.
constexpr const char* kVoteOrder = "v.created_at DESC, v.user_id DESC, v.page_state_hash";

std::string IdList(const std::vector<int64_t>& ids) {
  // Ids from the database: safe to inline, one statement for all.
  std::string out;
  for (int64_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

}  // namespace

std::vector<VariantRecord> VariantRepository::Select(const std::string& where, int64_t key) {
  const char* cast = dialect_ == Dialect::kPostgres ? "::text" : "";
  std::vector<VariantRecord> out;
  VariantRow row;
  soci::statement st(sql_);
  BindVariant(st, row);
  st.exchange(soci::use(key));
  PrepareBound(st, std::string("SELECT v.id, v.step_id, v.selector, v.selectors") + cast +
                       ", v.element_meta" + cast +
                       ", v.source, v.status, v.preferred, v.method, v.confidence, v.page_state_hash, "
                       "v.created_at, v.created_by FROM step_selector_variants v JOIN steps s ON s.id = "
                       "v.step_id WHERE " +
                       where +
                       " ORDER BY v.step_id, v.preferred DESC, CASE v.status WHEN 'shared' THEN 0 WHEN "
                       "'pending' THEN 1 ELSE 2 END, v.id");
  st.execute();
  while (st.fetch()) {
    row.rec.preferred = row.preferred != 0;
    out.push_back(row.rec);
  }
  return out;
}

std::vector<HealVoteRecord> VariantRepository::Votes(const std::string& where, int64_t key) {
  // Only votes about stored variants, at most kVotesShown per variant (a window over each).
  std::vector<HealVoteRecord> out;
  VoteRow row;
  soci::statement st(sql_);
  BindVote(st, row);
  st.exchange(soci::use(key));
  PrepareBound(st, std::string("SELECT step_id, page_state_hash, selector, user_id, name, vote, how, admin, "
                               "created_at FROM (SELECT ") +
                       kVoteColumns + ", ROW_NUMBER() OVER (PARTITION BY v.step_id, v.selector ORDER BY " +
                       kVoteOrder +
                       ") AS rn FROM heal_votes v JOIN steps s ON s.id = v.step_id JOIN "
                       "step_selector_variants sv ON sv.step_id = v.step_id AND sv.selector = v.selector "
                       "LEFT JOIN users u ON u.id = v.user_id WHERE " +
                       where + ") x WHERE rn <= " + std::to_string(kVotesShown) +
                       " ORDER BY step_id, selector, created_at DESC, user_id DESC, page_state_hash");
  st.execute();
  while (st.fetch()) {
    row.rec.admin = row.admin != 0;
    out.push_back(row.rec);
  }
  return out;
}

namespace {

std::map<int64_t, std::vector<VariantRecord>> Stitch(std::vector<VariantRecord> variants,
                                                     std::vector<HealVoteRecord> votes) {
  std::map<std::pair<int64_t, std::string>, std::vector<HealVoteRecord>> by_key;
  for (auto& v : votes) {
    auto key = std::make_pair(v.step_id, v.selector);
    by_key[key].push_back(std::move(v));
  }
  std::map<int64_t, std::vector<VariantRecord>> out;
  for (auto& v : variants) {
    if (auto it = by_key.find({v.step_id, v.selector}); it != by_key.end()) v.votes = std::move(it->second);
    out[v.step_id].push_back(std::move(v));
  }
  return out;
}

}  // namespace

std::map<int64_t, std::vector<VariantRecord>> VariantRepository::ForWorkflow(int64_t workflow_id) {
  return Stitch(Select("s.workflow_id = :k", workflow_id), Votes("s.workflow_id = :k", workflow_id));
}

std::vector<VariantRecord> VariantRepository::ForStep(int64_t step_id) {
  auto all = Stitch(Select("v.step_id = :k", step_id), Votes("v.step_id = :k", step_id));
  auto it = all.find(step_id);
  return it == all.end() ? std::vector<VariantRecord>{} : std::move(it->second);
}

std::optional<VariantRecord> VariantRepository::Find(int64_t step_id, const std::string& selector) {
  const char* cast = dialect_ == Dialect::kPostgres ? "::text" : "";
  VariantRow row;
  soci::statement st(sql_);
  BindVariant(st, row);
  st.exchange(soci::use(step_id));
  st.exchange(soci::use(selector));
  if (!FetchOne(
          sql_, st,
          std::string("SELECT id, step_id, selector, selectors") + cast + ", element_meta" + cast +
              ", source, status, preferred, method, confidence, page_state_hash, created_at, created_by "
              "FROM step_selector_variants WHERE step_id = :s AND selector = :x")) {
    return std::nullopt;
  }
  row.rec.preferred = row.preferred != 0;
  return row.rec;
}

int64_t VariantRepository::Insert(const VariantRecord& v) {
  int64_t id = 0;
  const int preferred = v.preferred ? 1 : 0;
  sql_ << "INSERT INTO step_selector_variants (step_id, selector, selectors, element_meta, source, status, "
          "preferred, method, confidence, page_state_hash, created_at, created_by) VALUES (:s, :x, :j, :m, "
          ":src, :st, :p, :me, :c, :h, :at, :by) RETURNING id",
      soci::use(v.step_id), soci::use(v.selector), soci::use(v.selectors_json),
      soci::use(v.element_meta_json), soci::use(v.source), soci::use(v.status), soci::use(preferred),
      soci::use(v.method), soci::use(v.confidence), soci::use(v.page_state_hash), soci::use(v.created_at),
      soci::use(v.created_by), soci::into(id);
  return id;
}

int64_t VariantRepository::Count(int64_t step_id) {
  int64_t n = 0;
  sql_ << "SELECT COUNT(*) FROM step_selector_variants WHERE step_id = :s", soci::use(step_id), soci::into(n);
  return n;
}

bool VariantRepository::EvictOne(int64_t step_id) {
  int64_t id = 0;
  sql_
      << "SELECT id FROM step_selector_variants WHERE step_id = :s AND status IN ('pending', 'rejected') AND "
         "preferred = 0 ORDER BY id LIMIT 1",
      soci::use(step_id), soci::into(id);
  if (!sql_.got_data()) return false;
  sql_ << "DELETE FROM step_selector_variants WHERE id = :i", soci::use(id);
  return true;
}

void VariantRepository::SetStatus(int64_t id, const std::string& status) {
  sql_ << "UPDATE step_selector_variants SET status = :st WHERE id = :i", soci::use(status), soci::use(id);
}

void VariantRepository::Prefer(int64_t step_id, int64_t id) {
  // The old one first: the unique index allows one preferred row per step at every moment.
  sql_ << "UPDATE step_selector_variants SET preferred = 0 WHERE step_id = :s AND preferred = 1 AND id <> :i",
      soci::use(step_id), soci::use(id);
  sql_ << "UPDATE step_selector_variants SET preferred = 1 WHERE step_id = :s AND id = :i",
      soci::use(step_id), soci::use(id);
}

void VariantRepository::UpsertVote(const HealVoteRecord& v) {
  const int admin = v.admin ? 1 : 0;
  sql_
      << "INSERT INTO heal_votes (step_id, page_state_hash, selector, user_id, vote, how, admin, created_at) "
         "VALUES (:s, :h, :x, :u, :v, :w, :a, :at) ON CONFLICT (step_id, page_state_hash, selector, user_id) "
         "DO UPDATE SET vote = excluded.vote, how = excluded.how, admin = excluded.admin, created_at = "
         "excluded.created_at",
      soci::use(v.step_id), soci::use(v.page_state_hash), soci::use(v.selector), soci::use(v.user_id),
      soci::use(v.vote), soci::use(v.how), soci::use(admin), soci::use(v.created_at);
}

VoteTally VariantRepository::Tally(int64_t step_id, const std::string& page_state_hash,
                                   const std::string& selector) {
  // One row per user and key: counting rows counts distinct users.
  VoteTally t;
  int64_t admin_confirmed = 0;
  int64_t admin_rejected = 0;
  sql_ << "SELECT COALESCE(SUM(CASE WHEN vote = 'confirm' THEN 1 ELSE 0 END), 0), "
          "COALESCE(SUM(CASE WHEN vote = 'reject' THEN 1 ELSE 0 END), 0), "
          "COALESCE(SUM(CASE WHEN vote = 'confirm' AND admin = 1 THEN 1 ELSE 0 END), 0), "
          "COALESCE(SUM(CASE WHEN vote = 'reject' AND admin = 1 THEN 1 ELSE 0 END), 0) "
          "FROM heal_votes WHERE step_id = :s AND page_state_hash = :h AND selector = :x",
      soci::use(step_id), soci::use(page_state_hash), soci::use(selector), soci::into(t.confirmations),
      soci::into(t.rejections), soci::into(admin_confirmed), soci::into(admin_rejected);
  t.admin_confirmed = admin_confirmed > 0;
  t.admin_rejected = admin_rejected > 0;
  return t;
}

std::set<std::string> VariantRepository::RejectedBy(int64_t step_id, const std::string& page_state_hash,
                                                    int64_t user_id) {
  std::set<std::string> out;
  std::string selector;
  soci::statement st =
      (sql_.prepare << "SELECT selector FROM heal_votes WHERE step_id = :s AND page_state_hash = :h AND "
                       "user_id = :u AND vote = 'reject'",
       soci::use(step_id), soci::use(page_state_hash), soci::use(user_id), soci::into(selector));
  st.execute();
  while (st.fetch()) out.insert(selector);
  return out;
}

std::map<int64_t, std::vector<HealVoteRecord>> VariantRepository::ForReviews(
    const std::vector<int64_t>& ids) {
  std::map<int64_t, std::vector<HealVoteRecord>> out;
  if (ids.empty()) return out;
  int64_t review_id = 0;
  VoteRow row;
  soci::statement st(sql_);
  st.exchange(soci::into(review_id));
  BindVote(st, row);
  PrepareBound(
      st,
      std::string("SELECT r.id, ") + kVoteColumns +
          " FROM heal_reviews r JOIN heal_votes v ON v.step_id = r.step_id AND v.selector = "
          "r.selector AND v.page_state_hash = COALESCE(r.page_state_hash, '') LEFT JOIN users u ON u.id = "
          "v.user_id WHERE r.id IN (" +
          IdList(ids) + ") ORDER BY r.id, " + kVoteOrder);
  st.execute();
  while (st.fetch()) {
    auto& list = out[review_id];
    if (list.size() >= static_cast<size_t>(kVotesShown)) continue;
    row.rec.admin = row.admin != 0;
    list.push_back(row.rec);
  }
  return out;
}

void VariantRepository::Touch(int64_t workflow_id) {
  sql_ << "UPDATE workflows SET heal_version = heal_version + 1 WHERE id = :w", soci::use(workflow_id);
}

void VariantRepository::MarkStepHealed(int64_t step_id, const std::string& healed_json,
                                       std::optional<double> confidence, const std::string& method,
                                       int64_t now) {
  const std::string at = DbTime(now);
  sql_
      << "UPDATE steps SET healed_selectors = :h, healed_at = :at, healing_confidence = :c, healing_method = "
         ":m WHERE id = :i",
      soci::use(healed_json), soci::use(at), soci::use(confidence), soci::use(method), soci::use(step_id);
}

}  // namespace stepwise::storage
