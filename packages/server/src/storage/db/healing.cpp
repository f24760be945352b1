#include "storage/db/healing.hpp"

#include "storage/db/repositories.hpp"
#include "storage/db/soci_optional.hpp"

namespace stepwise::storage {

namespace {

constexpr const char* kReviewColumns =
    "id, company_id, workflow_id, step_id, status, confidence, method, selector, candidate, "
    "previous_selector, "
    "current_screenshot_key, current_width, current_height, page_url, page_state_hash, created_at, "
    "decided_at, decided_by, resolution";

void BindReview(soci::statement& st, HealReviewRecord& r) {
  st.exchange(soci::into(r.id));
  st.exchange(soci::into(r.company_id));
  st.exchange(soci::into(r.workflow_id));
  st.exchange(soci::into(r.step_id));
  st.exchange(soci::into(r.status));
  st.exchange(soci::into(r.confidence));
  st.exchange(soci::into(r.method));
  st.exchange(soci::into(r.selector));
  st.exchange(soci::into(r.candidate_json));
  st.exchange(soci::into(r.previous_selector));
  st.exchange(soci::into(r.current_screenshot_key));
  st.exchange(soci::into(r.current_width));
  st.exchange(soci::into(r.current_height));
  st.exchange(soci::into(r.page_url));
  st.exchange(soci::into(r.page_state_hash));
  st.exchange(soci::into(r.created_at));
  st.exchange(soci::into(r.decided_at));
  st.exchange(soci::into(r.decided_by));
  st.exchange(soci::into(r.resolution));
}

}  // namespace

std::optional<HealStep> HealingRepository::Step(int64_t company_id, int64_t workflow_id, int64_t step_id) {
  HealStep s;
  const char* cast = dialect_ == Dialect::kPostgres ? "::text" : "";
  soci::statement st(sql_);
  st.exchange(soci::into(s.step_id));
  st.exchange(soci::into(s.workflow_id));
  st.exchange(soci::into(s.company_id));
  st.exchange(soci::into(s.workflow_status));
  st.exchange(soci::into(s.workflow_name));
  st.exchange(soci::into(s.step_number));
  st.exchange(soci::into(s.field_label));
  st.exchange(soci::into(s.selectors_json));
  st.exchange(soci::into(s.element_meta_json));
  st.exchange(soci::into(s.page_context_json));
  st.exchange(soci::into(s.healed_selectors_json));
  st.exchange(soci::into(s.screenshot_key));
  st.exchange(soci::into(s.screenshot_width));
  st.exchange(soci::into(s.screenshot_height));
  st.exchange(soci::use(company_id));
  st.exchange(soci::use(workflow_id));
  st.exchange(soci::use(step_id));
  if (!FetchOne(
          sql_, st,
          std::string(
              "SELECT s.id, s.workflow_id, w.company_id, w.status, w.name, s.step_number, s.field_label, "
              "s.selectors") +
              cast + ", s.element_meta" + cast + ", s.page_context" + cast + ", s.healed_selectors" + cast +
              ", sc.storage_key, sc.width, sc.height FROM steps s JOIN workflows w ON w.id = s.workflow_id "
              "LEFT JOIN screenshots sc ON sc.id = s.screenshot_id WHERE w.company_id = :c AND w.id = :w AND "
              "s.id = :s")) {
    return std::nullopt;
  }
  return s;
}

bool HealingRepository::ClaimDecision(int64_t step_id, const std::string& page_state_hash, int64_t now,
                                      int64_t until) {
  soci::statement insert =
      (sql_.prepare << "INSERT INTO heal_decisions (step_id, page_state_hash, decision, expires_at) "
                       "VALUES (:s, :h, 'pending', :u) ON CONFLICT (step_id, page_state_hash) DO "
                       "NOTHING",
       soci::use(step_id), soci::use(page_state_hash), soci::use(until));
  insert.execute(true);
  if (insert.get_affected_rows() == 1) return true;
  // A row exists: an expired one (a decision that aged out, or a maker that died) is taken over.
  soci::statement take =
      (sql_.prepare << "UPDATE heal_decisions SET decision = 'pending', expires_at = :u WHERE "
                       "step_id = :s AND page_state_hash = :h AND expires_at <= :n",
       soci::use(until), soci::use(step_id), soci::use(page_state_hash), soci::use(now));
  take.execute(true);
  return take.get_affected_rows() == 1;
}

std::optional<std::string> HealingRepository::CachedDecision(int64_t step_id,
                                                             const std::string& page_state_hash,
                                                             int64_t now) {
  std::string decision;
  sql_ << "SELECT decision FROM heal_decisions WHERE step_id = :s AND page_state_hash = :h AND expires_at > "
          ":n",
      soci::use(step_id), soci::use(page_state_hash), soci::use(now), soci::into(decision);
  if (!sql_.got_data()) return std::nullopt;
  return decision;
}

void HealingRepository::CacheDecision(int64_t step_id, const std::string& page_state_hash,
                                      const std::string& decision, int64_t expires_at) {
  sql_ << "INSERT INTO heal_decisions (step_id, page_state_hash, decision, expires_at) VALUES (:s, :h, :d, "
          ":e) "
          "ON CONFLICT (step_id, page_state_hash) DO UPDATE SET decision = excluded.decision, expires_at = "
          "excluded.expires_at",
      soci::use(step_id), soci::use(page_state_hash), soci::use(decision), soci::use(expires_at);
}

void HealingRepository::ForgetDecision(int64_t step_id, const std::string& page_state_hash) {
  sql_ << "DELETE FROM heal_decisions WHERE step_id = :s AND page_state_hash = :h", soci::use(step_id),
      soci::use(page_state_hash);
}

std::set<std::string> HealingRepository::Rejected(int64_t step_id, const std::string& page_state_hash) {
  std::set<std::string> out;
  std::string selector;
  soci::statement st =
      (sql_.prepare << "SELECT selector FROM heal_rejections WHERE step_id = :s AND page_state_hash = :h",
       soci::use(step_id), soci::use(page_state_hash), soci::into(selector));
  st.execute();
  while (st.fetch()) out.insert(selector);
  return out;
}

void HealingRepository::Reject(int64_t step_id, const std::string& page_state_hash,
                               const std::string& selector, int64_t now) {
  sql_ << "INSERT INTO heal_rejections (step_id, page_state_hash, selector, created_at) VALUES (:s, :h, :x, "
          ":n) "
          "ON CONFLICT (step_id, page_state_hash, selector) DO NOTHING",
      soci::use(step_id), soci::use(page_state_hash), soci::use(selector), soci::use(now);
}

void HealingRepository::Unreject(int64_t step_id, const std::string& page_state_hash,
                                 const std::string& selector) {
  sql_ << "DELETE FROM heal_rejections WHERE step_id = :s AND page_state_hash = :h AND selector = :x",
      soci::use(step_id), soci::use(page_state_hash), soci::use(selector);
}

int64_t HealingRepository::InsertReview(const HealReviewRecord& r) {
  int64_t id = 0;
  sql_ << "INSERT INTO heal_reviews (company_id, workflow_id, step_id, status, confidence, method, selector, "
          "candidate, previous_selector, current_screenshot_key, current_width, current_height, page_url, "
          "page_state_hash, created_at) VALUES (:c, :w, :s, 'pending', :f, :m, :x, :cand, :prev, :k, :cw, "
          ":ch, :u, "
          ":h, :at) RETURNING id",
      soci::use(r.company_id), soci::use(r.workflow_id), soci::use(r.step_id), soci::use(r.confidence),
      soci::use(r.method), soci::use(r.selector), soci::use(r.candidate_json), soci::use(r.previous_selector),
      soci::use(r.current_screenshot_key), soci::use(r.current_width), soci::use(r.current_height),
      soci::use(r.page_url), soci::use(r.page_state_hash), soci::use(r.created_at), soci::into(id);
  return id;
}

std::optional<HealReviewRecord> HealingRepository::Review(int64_t company_id, int64_t id, bool for_update) {
  HealReviewRecord r;
  soci::statement st(sql_);
  BindReview(st, r);
  st.exchange(soci::use(company_id));
  st.exchange(soci::use(id));
  const bool lock = for_update && dialect_ == Dialect::kPostgres;
  if (!FetchOne(sql_, st,
                std::string("SELECT ") + kReviewColumns +
                    " FROM heal_reviews WHERE company_id = :c AND id = :i" + (lock ? " FOR UPDATE" : ""))) {
    return std::nullopt;
  }
  return r;
}

std::vector<HealReviewRecord> HealingRepository::Reviews(int64_t company_id, const std::string& status,
                                                         std::optional<int64_t> workflow_id, int limit,
                                                         int offset) {
  std::vector<HealReviewRecord> out;
  HealReviewRecord r;
  const int64_t wf = workflow_id.value_or(0);
  soci::statement st(sql_);
  BindReview(st, r);
  st.exchange(soci::use(company_id, "c"));
  st.exchange(soci::use(status, "s"));
  st.exchange(soci::use(wf, "w1"));
  st.exchange(soci::use(wf, "w2"));
  st.exchange(soci::use(limit, "l"));
  st.exchange(soci::use(offset, "o"));
  PrepareBound(st, std::string("SELECT ") + kReviewColumns +
                       " FROM heal_reviews WHERE company_id = :c AND status = :s AND (CAST(:w1 AS BIGINT) = "
                       "0 OR workflow_id = :w2) "
                       "ORDER BY id DESC LIMIT :l OFFSET :o");
  st.execute();
  while (st.fetch()) out.push_back(r);
  return out;
}

int64_t HealingRepository::CountReviews(int64_t company_id, const std::string& status,
                                        std::optional<int64_t> workflow_id) {
  const int64_t wf = workflow_id.value_or(0);
  int64_t n = 0;
  sql_ << "SELECT COUNT(*) FROM heal_reviews WHERE company_id = :c AND status = :s AND (CAST(:w AS BIGINT) = "
          "0 OR "
          "workflow_id = :w2)",
      soci::use(company_id), soci::use(status), soci::use(wf), soci::use(wf), soci::into(n);
  return n;
}

void HealingRepository::DecideReview(int64_t id, const std::string& status, const std::string& resolution,
                                     std::optional<int64_t> user_id, int64_t now) {
  sql_ << "UPDATE heal_reviews SET status = :s, resolution = :r, decided_at = :n, decided_by = :u WHERE id = "
          ":i",
      soci::use(status), soci::use(resolution), soci::use(now), soci::use(user_id), soci::use(id);
}

int64_t HealingRepository::ResolvePending(int64_t step_id, const std::string& selector,
                                          const std::string& page_state_hash, const std::string& status,
                                          std::optional<int64_t> user_id, int64_t now) {
  soci::statement st =
      (sql_.prepare
           << "UPDATE heal_reviews SET status = :s, resolution = 'votes', decided_at = :n, decided_by "
              "= :u WHERE step_id = :st AND selector = :x AND page_state_hash = :h AND status = "
              "'pending'",
       soci::use(status), soci::use(now), soci::use(user_id), soci::use(step_id), soci::use(selector),
       soci::use(page_state_hash));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace stepwise::storage
