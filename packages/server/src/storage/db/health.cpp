#include "storage/db/health.hpp"

#include <cmath>

#include "storage/db/repositories.hpp"
#include "storage/db/soci_optional.hpp"

namespace stepwise::storage {

std::vector<bool> HealthRepository::InsertMany(int64_t company_id, int64_t workflow_id, int64_t user_id,
                                               const std::vector<HealthEntry>& entries, int64_t now) {
  std::vector<bool> inserted;
  inserted.reserve(entries.size());
  if (entries.empty()) return inserted;
  const std::string at = DbTime(now);
  // Bound by reference: each execute reads the current entry.
  HealthEntry e;
  std::string kind;
  std::optional<int64_t> score;
  soci::statement st =
      (sql_.prepare
           << "INSERT INTO health_logs (company_id, workflow_id, step_id, user_id, client_id, run_id, kind, "
              "status, error_type, error_message, healing_confidence, deterministic_score, ai_confidence, "
              "candidates_evaluated, page_state_hash, page_url, execution_time_ms, created_at) VALUES "
              "(:c, :w, :s, :u, :ci, :r, :k, :st, :et, :em, :hc, :ds, :ac, :ce, :ph, :pu, :ms, :at) "
              "ON CONFLICT (company_id, client_id) DO NOTHING",
       soci::use(company_id), soci::use(workflow_id), soci::use(e.step_id), soci::use(user_id),
       soci::use(e.client_id), soci::use(e.run_id), soci::use(kind), soci::use(e.status),
       soci::use(e.error_type), soci::use(e.error_message), soci::use(e.healing_confidence), soci::use(score),
       soci::use(e.ai_confidence), soci::use(e.candidates_evaluated), soci::use(e.page_state_hash),
       soci::use(e.page_url), soci::use(e.execution_time_ms), soci::use(at));
  for (const auto& entry : entries) {
    e = entry;
    kind = e.step_id ? "step" : "run";
    score.reset();
    if (e.deterministic_score) score = std::lround(*e.deterministic_score);
    st.execute(true);
    inserted.push_back(st.get_affected_rows() == 1);
  }
  return inserted;
}

std::vector<std::string> HealthRepository::LastRuns(int64_t workflow_id, int n) {
  std::vector<std::string> out;
  std::string status;
  soci::statement st =
      (sql_.prepare << "SELECT status FROM health_logs WHERE workflow_id = :w AND kind = 'run' AND "
                       "status IN ('success', 'completed_with_skips', 'failed') ORDER BY id DESC LIMIT :n",
       soci::use(workflow_id), soci::use(n), soci::into(status));
  st.execute();
  while (st.fetch()) out.push_back(status);
  return out;
}

std::pair<int64_t, int64_t> HealthRepository::RunsSince(int64_t workflow_id, int64_t since) {
  const std::string at = DbTime(since);
  int64_t total = 0;
  int64_t ok = 0;
  soci::indicator ind = soci::i_ok;
  sql_ << "SELECT COUNT(*), SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END) FROM health_logs WHERE "
          "workflow_id = :w AND kind = 'run' AND status IN ('success', 'completed_with_skips', 'failed') AND "
          "created_at >= :at",
      soci::use(workflow_id), soci::use(at), soci::into(total), soci::into(ok, ind);
  return {total, ind == soci::i_ok ? ok : 0};
}

HealthFields HealthRepository::Fields(int64_t company_id, int64_t workflow_id) {
  HealthFields f;
  std::optional<std::string> ok_at;
  std::optional<std::string> failed_at;
  sql_ << "SELECT status, success_rate, total_uses, consecutive_failures, last_successful_run, "
          "last_failed_run FROM "
          "workflows WHERE company_id = :c AND id = :w",
      soci::use(company_id), soci::use(workflow_id), soci::into(f.status), soci::into(f.success_rate),
      soci::into(f.total_uses), soci::into(f.consecutive_failures), soci::into(ok_at), soci::into(failed_at);
  f.last_successful_run = ReadOptionalDbTime(ok_at);
  f.last_failed_run = ReadOptionalDbTime(failed_at);
  return f;
}

void HealthRepository::SetFields(int64_t company_id, int64_t workflow_id, const HealthFields& f) {
  const auto ok_at = OptionalDbTime(f.last_successful_run);
  const auto failed_at = OptionalDbTime(f.last_failed_run);
  sql_ << "UPDATE workflows SET status = :s, success_rate = :r, total_uses = :t, consecutive_failures = :f, "
          "last_successful_run = :ok, last_failed_run = :bad WHERE company_id = :c AND id = :w",
      soci::use(f.status), soci::use(f.success_rate), soci::use(f.total_uses),
      soci::use(f.consecutive_failures), soci::use(ok_at), soci::use(failed_at), soci::use(company_id),
      soci::use(workflow_id);
}

bool HealthRepository::NotifiedSince(int64_t workflow_id, const std::string& type, int64_t since) {
  const std::string at = DbTime(since);
  int64_t n = 0;
  sql_ << "SELECT COUNT(*) FROM notifications WHERE workflow_id = :w AND type = :t AND created_at >= :at",
      soci::use(workflow_id), soci::use(type), soci::use(at), soci::into(n);
  return n > 0;
}

std::vector<DayCount> HealthRepository::Days(int64_t workflow_id, int64_t since) {
  const std::string at = DbTime(since);
  const std::string day = dialect_ == Dialect::kPostgres
                              ? "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
                              : "substr(created_at, 1, 10)";
  std::vector<DayCount> out;
  DayCount d;
  soci::statement st =
      (sql_.prepare << "SELECT " + day +
                           ", kind, status, COUNT(*) FROM health_logs WHERE "
                           "workflow_id = :w AND created_at >= :at GROUP BY 1, 2, 3 ORDER BY 1",
       soci::use(workflow_id), soci::use(at), soci::into(d.day), soci::into(d.kind), soci::into(d.status),
       soci::into(d.count));
  st.execute();
  while (st.fetch()) out.push_back(d);
  return out;
}

std::vector<FailingStepRow> HealthRepository::FailingSteps(int64_t workflow_id, int64_t since) {
  const std::string at = DbTime(since);
  std::vector<FailingStepRow> out;
  FailingStepRow r;
  soci::statement st =
      (sql_.prepare
           << "SELECT h.step_id, s.step_number, s.field_label, h.error_type, COUNT(*) FROM health_logs h "
              "JOIN steps s ON s.id = h.step_id WHERE h.workflow_id = :w AND h.kind = 'step' AND h.status = "
              "'failed' AND h.created_at >= :at GROUP BY h.step_id, s.step_number, s.field_label, "
              "h.error_type",
       soci::use(workflow_id), soci::use(at), soci::into(r.step_id), soci::into(r.step_number),
       soci::into(r.field_label), soci::into(r.error_type), soci::into(r.count));
  st.execute();
  while (st.fetch()) out.push_back(r);
  return out;
}

std::vector<RunRow> HealthRepository::RecentRuns(int64_t workflow_id, int limit) {
  std::vector<RunRow> out;
  RunRow r;
  std::string created;
  std::optional<std::string> run_id;
  soci::statement st =
      (sql_.prepare << "SELECT run_id, status, user_id, error_type, created_at FROM health_logs "
                       "WHERE workflow_id = :w AND kind = 'run' ORDER BY id DESC LIMIT :l",
       soci::use(workflow_id), soci::use(limit), soci::into(run_id), soci::into(r.status),
       soci::into(r.user_id), soci::into(r.error_type), soci::into(created));
  st.execute();
  while (st.fetch()) {
    r.run_id = run_id.value_or("");
    r.created_at = ReadDbTime(created);
    out.push_back(r);
  }
  return out;
}

std::vector<HealingRow> HealthRepository::HealingEvents(int64_t workflow_id, int limit) {
  std::vector<HealingRow> out;
  HealingRow r;
  std::string created;
  soci::statement st =
      (sql_.prepare
           << "SELECT h.step_id, s.step_number, s.field_label, h.status, h.healing_confidence, h.page_url, "
              "h.created_at FROM health_logs h LEFT JOIN steps s ON s.id = h.step_id WHERE h.workflow_id = "
              ":w "
              "AND h.kind = 'step' AND h.step_id IS NOT NULL AND h.status IN ('healed_deterministic', "
              "'healed_ai') ORDER BY h.id DESC LIMIT :l",
       soci::use(workflow_id), soci::use(limit), soci::into(r.step_id), soci::into(r.step_number),
       soci::into(r.field_label), soci::into(r.status), soci::into(r.healing_confidence),
       soci::into(r.page_url), soci::into(created));
  st.execute();
  while (st.fetch()) {
    r.created_at = ReadDbTime(created);
    out.push_back(r);
  }
  return out;
}

int64_t HealthRepository::DeleteOlderThan(int64_t before, int limit) {
  const std::string at = DbTime(before);
  soci::statement st =
      (sql_.prepare << "DELETE FROM health_logs WHERE id IN (SELECT id FROM health_logs WHERE "
                       "created_at < :at ORDER BY id LIMIT :l)",
       soci::use(at), soci::use(limit));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace stepwise::storage
