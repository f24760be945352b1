#include "storage/db/labeling.hpp"

#include "storage/db/repositories.hpp"
#include "storage/db/soci_optional.hpp"

namespace stepwise::storage {

namespace {
std::string StepToLabelQuery(Dialect dialect, const char* where) {
  const char* cast = dialect == Dialect::kPostgres ? "::text" : "";
  return std::string("SELECT s.id, s.workflow_id, w.company_id, s.action_type, s.element_meta") + cast +
         ", s.page_context" + cast + ", s.action_data" + cast +
         ", sc.storage_key, s.label_status, w.status FROM steps s JOIN workflows w ON w.id = "
         "s.workflow_id LEFT JOIN screenshots sc ON sc.id = s.screenshot_id WHERE " +
         where;
}

void BindStepToLabel(soci::statement& st, StepToLabel& s) {
  st.exchange(soci::into(s.id));
  st.exchange(soci::into(s.workflow_id));
  st.exchange(soci::into(s.company_id));
  st.exchange(soci::into(s.action_type));
  st.exchange(soci::into(s.element_meta_json));
  st.exchange(soci::into(s.page_context_json));
  st.exchange(soci::into(s.action_data_json));
  st.exchange(soci::into(s.screenshot_key));
  st.exchange(soci::into(s.label_status));
  st.exchange(soci::into(s.workflow_status));
}
}  // namespace

std::optional<StepToLabel> LabelingRepository::Load(int64_t step_id) {
  StepToLabel s;
  soci::statement st(sql_);
  BindStepToLabel(st, s);
  st.exchange(soci::use(step_id));
  if (!FetchOne(sql_, st, StepToLabelQuery(dialect_, "s.id = :i"))) return std::nullopt;
  return s;
}

std::vector<StepToLabel> LabelingRepository::LoadPending(int64_t workflow_id) {
  std::vector<StepToLabel> out;
  StepToLabel s;
  soci::statement st(sql_);
  BindStepToLabel(st, s);
  st.exchange(soci::use(workflow_id));
  PrepareBound(st, StepToLabelQuery(dialect_,
                                    "s.workflow_id = :w AND s.label_status = 'pending' ORDER BY "
                                    "s.step_number"));
  st.execute();
  while (st.fetch()) out.push_back(s);
  return out;
}

int LabelingRepository::WriteMany(const std::vector<LabelWrite>& labels, const std::string& status,
                                  int64_t now) {
  if (labels.empty()) return 0;
  const std::string at = DbTime(now);
  LabelWrite w;  // bound by reference: each execute reads the current one
  soci::statement st =
      (sql_.prepare
           << "UPDATE steps SET field_label = CASE WHEN label_edited = 1 THEN field_label ELSE :l END, "
              "instruction = CASE WHEN instruction_edited = 1 THEN instruction ELSE :n END, "
              "ai_confidence = :c, ai_model = :m, ai_generated_at = :at, label_status = :st "
              "WHERE id = :i AND label_status = 'pending'",
       soci::use(w.label), soci::use(w.instruction), soci::use(w.confidence), soci::use(w.model),
       soci::use(at), soci::use(status), soci::use(w.step_id));
  int written = 0;
  for (const auto& label : labels) {
    w = label;
    st.execute(true);
    if (st.get_affected_rows() == 1) ++written;
  }
  return written;
}

LabelProgress LabelingRepository::Progress(int64_t workflow_id) {
  LabelProgress p;
  soci::indicator i1 = soci::i_ok;
  soci::indicator i2 = soci::i_ok;
  sql_ << "SELECT COUNT(*), SUM(CASE WHEN label_status = 'pending' THEN 0 ELSE 1 END), "
          "SUM(CASE WHEN label_status = 'fallback' THEN 1 ELSE 0 END) FROM steps WHERE workflow_id = :w",
      soci::use(workflow_id), soci::into(p.total), soci::into(p.done, i1), soci::into(p.failed, i2);
  if (i1 != soci::i_ok) p.done = 0;
  if (i2 != soci::i_ok) p.failed = 0;
  return p;
}

bool LabelingRepository::FinishIfDone(int64_t workflow_id, int64_t now) {
  const std::string at = DbTime(now);
  soci::statement st =
      (sql_.prepare << "UPDATE workflows SET status = 'needs_review', version = version + 1, "
                       "updated_at = :at WHERE id = :w AND status = 'processing' AND NOT EXISTS "
                       "(SELECT 1 FROM steps WHERE workflow_id = :w2 AND label_status = 'pending')",
       soci::use(at), soci::use(workflow_id), soci::use(workflow_id));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

std::vector<int64_t> LabelingRepository::MarkPending(int64_t workflow_id, const std::vector<int64_t>& ids) {
  std::string in;
  for (const auto id : ids) in += (in.empty() ? "" : ",") + std::to_string(id);
  const std::string where = "workflow_id = :w" + (ids.empty() ? std::string() : " AND id IN (" + in + ")");
  sql_ << "UPDATE steps SET label_status = 'pending' WHERE " + where, soci::use(workflow_id);
  return PendingSteps(workflow_id);
}

std::vector<int64_t> LabelingRepository::PendingSteps(int64_t workflow_id) {
  std::vector<int64_t> out;
  int64_t id = 0;
  soci::statement st =
      (sql_.prepare << "SELECT id FROM steps WHERE workflow_id = :w AND label_status = 'pending' "
                       "ORDER BY step_number",
       soci::use(workflow_id), soci::into(id));
  st.execute();
  while (st.fetch()) out.push_back(id);
  return out;
}

void LabelingRepository::StartLabeling(int64_t company_id, int64_t workflow_id, int64_t now) {
  sql_ << "UPDATE workflows SET labeling_started_at = :n WHERE company_id = :c AND id = :w", soci::use(now),
      soci::use(company_id), soci::use(workflow_id);
}

std::vector<StuckWorkflow> LabelingRepository::Stuck(int64_t started_before, int limit) {
  std::vector<StuckWorkflow> out;
  StuckWorkflow w;
  soci::statement st =
      (sql_.prepare << "SELECT id, company_id FROM workflows WHERE status = 'processing' AND "
                       "(labeling_started_at IS NULL OR labeling_started_at < :b) ORDER BY id LIMIT :l",
       soci::use(started_before), soci::use(limit), soci::into(w.id), soci::into(w.company_id));
  st.execute();
  while (st.fetch()) out.push_back(w);
  return out;
}

std::optional<CachedLabel> LabelingRepository::CacheGet(int64_t company_id, const std::string& signature) {
  CachedLabel c;
  sql_ << "SELECT field_label, instruction, confidence, ai_model FROM label_cache WHERE company_id = :c AND "
          "signature = :s",
      soci::use(company_id), soci::use(signature), soci::into(c.field_label), soci::into(c.instruction),
      soci::into(c.confidence), soci::into(c.ai_model);
  if (!sql_.got_data()) return std::nullopt;
  sql_ << "UPDATE label_cache SET hits = hits + 1 WHERE company_id = :c AND signature = :s",
      soci::use(company_id), soci::use(signature);
  return c;
}

void LabelingRepository::CachePut(int64_t company_id, const std::string& signature, const CachedLabel& label,
                                  int64_t now) {
  sql_ << "INSERT INTO label_cache (company_id, signature, field_label, instruction, confidence, ai_model, "
          "hits, "
          "created_at) VALUES (:c, :s, :l, :i, :f, :m, 0, :n) ON CONFLICT (company_id, signature) DO UPDATE "
          "SET "
          "field_label = excluded.field_label, instruction = excluded.instruction, confidence = "
          "excluded.confidence, "
          "ai_model = excluded.ai_model",
      soci::use(company_id), soci::use(signature), soci::use(label.field_label), soci::use(label.instruction),
      soci::use(label.confidence), soci::use(label.ai_model), soci::use(now);
}

int64_t LabelingRepository::CacheHits(int64_t company_id) {
  int64_t n = 0;
  soci::indicator ind = soci::i_ok;
  sql_ << "SELECT SUM(hits) FROM label_cache WHERE company_id = :c", soci::use(company_id),
      soci::into(n, ind);
  return ind == soci::i_ok ? n : 0;
}

}  // namespace stepwise::storage
