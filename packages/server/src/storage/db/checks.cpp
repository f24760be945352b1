#include "storage/db/checks.hpp"

#include "storage/db/repositories.hpp"
#include "storage/db/soci_optional.hpp"

namespace stepwise::storage {

namespace {

constexpr const char* kRunColumns =
    "id, company_id, workflow_id, trigger, mode, state, status, requested_by, created_at, started_at, "
    "finished_at, duration_ms, attempts, steps_total, steps_found, steps_healed, steps_missing, message";

void BindRun(soci::statement& st, CheckRunRecord& r) {
  st.exchange(soci::into(r.id));
  st.exchange(soci::into(r.company_id));
  st.exchange(soci::into(r.workflow_id));
  st.exchange(soci::into(r.trigger));
  st.exchange(soci::into(r.mode));
  st.exchange(soci::into(r.state));
  st.exchange(soci::into(r.status));
  st.exchange(soci::into(r.requested_by));
  st.exchange(soci::into(r.created_at));
  st.exchange(soci::into(r.started_at));
  st.exchange(soci::into(r.finished_at));
  st.exchange(soci::into(r.duration_ms));
  st.exchange(soci::into(r.attempts));
  st.exchange(soci::into(r.steps_total));
  st.exchange(soci::into(r.steps_found));
  st.exchange(soci::into(r.steps_healed));
  st.exchange(soci::into(r.steps_missing));
  st.exchange(soci::into(r.message));
}

constexpr const char* kSessionColumns =
    "id, company_id, origin, key_id, sealed, cookie_count, local_storage_count, captured_at, captured_by";

void BindSession(soci::statement& st, CheckSessionRecord& r) {
  st.exchange(soci::into(r.id));
  st.exchange(soci::into(r.company_id));
  st.exchange(soci::into(r.origin));
  st.exchange(soci::into(r.key_id));
  st.exchange(soci::into(r.sealed));
  st.exchange(soci::into(r.cookie_count));
  st.exchange(soci::into(r.local_storage_count));
  st.exchange(soci::into(r.captured_at));
  st.exchange(soci::into(r.captured_by));
}

}  // namespace

std::optional<CheckSettingsRecord> CheckRepository::Settings(int64_t company_id, int64_t workflow_id,
                                                             bool for_update) {
  CheckSettingsRecord r;
  int enabled = 0;
  soci::statement st(sql_);
  st.exchange(soci::into(r.workflow_id));
  st.exchange(soci::into(r.company_id));
  st.exchange(soci::into(enabled));
  st.exchange(soci::into(r.interval_minutes));
  st.exchange(soci::into(r.mode));
  st.exchange(soci::into(r.values_key_id));
  st.exchange(soci::into(r.values_sealed));
  st.exchange(soci::into(r.value_step_ids_json));
  st.exchange(soci::into(r.status));
  st.exchange(soci::into(r.last_run_id));
  st.exchange(soci::into(r.last_run_at));
  st.exchange(soci::into(r.next_run_at));
  st.exchange(soci::into(r.updated_at));
  st.exchange(soci::into(r.updated_by));
  st.exchange(soci::use(company_id));
  st.exchange(soci::use(workflow_id));
  const std::string lock = for_update && dialect_ == Dialect::kPostgres ? " FOR UPDATE" : "";
  if (!FetchOne(
          sql_, st,
          "SELECT workflow_id, company_id, enabled, interval_minutes, mode, values_key_id, values_sealed, "
          "value_step_ids, status, last_run_id, last_run_at, next_run_at, updated_at, updated_by FROM "
          "workflow_checks WHERE company_id = :c AND workflow_id = :w" +
              lock))
    return std::nullopt;
  r.enabled = enabled != 0;
  return r;
}

void CheckRepository::SaveSettings(const CheckSettingsRecord& r) {
  const int enabled = r.enabled ? 1 : 0;
  sql_ << "INSERT INTO workflow_checks (workflow_id, company_id, enabled, interval_minutes, mode, "
          "values_key_id, values_sealed, value_step_ids, status, last_run_id, last_run_at, next_run_at, "
          "updated_at, updated_by) VALUES (:w, :c, :e, :i, :m, :k, :v, :ids, :st, :lr, :la, :n, :u, :ub) "
          "ON CONFLICT (workflow_id) DO UPDATE SET enabled = excluded.enabled, interval_minutes = "
          "excluded.interval_minutes, mode = excluded.mode, values_key_id = excluded.values_key_id, "
          "values_sealed = excluded.values_sealed, value_step_ids = excluded.value_step_ids, next_run_at = "
          "excluded.next_run_at, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
      soci::use(r.workflow_id), soci::use(r.company_id), soci::use(enabled), soci::use(r.interval_minutes),
      soci::use(r.mode), soci::use(r.values_key_id), soci::use(r.values_sealed),
      soci::use(r.value_step_ids_json), soci::use(r.status), soci::use(r.last_run_id),
      soci::use(r.last_run_at), soci::use(r.next_run_at), soci::use(r.updated_at), soci::use(r.updated_by);
}

int64_t CheckRepository::InsertRun(const CheckRunRecord& r) {
  int64_t id = 0;
  sql_ << "INSERT INTO check_runs (company_id, workflow_id, trigger, mode, state, requested_by, created_at) "
          "VALUES (:c, :w, :t, :m, :s, :by, :at) RETURNING id",
      soci::use(r.company_id), soci::use(r.workflow_id), soci::use(r.trigger), soci::use(r.mode),
      soci::use(r.state), soci::use(r.requested_by), soci::use(r.created_at), soci::into(id);
  return id;
}

std::optional<CheckRunRecord> CheckRepository::Run(int64_t company_id, int64_t id, bool for_update) {
  CheckRunRecord r;
  soci::statement st(sql_);
  BindRun(st, r);
  st.exchange(soci::use(id));
  std::string q = std::string("SELECT ") + kRunColumns + " FROM check_runs WHERE id = :id";
  if (company_id != 0) {
    st.exchange(soci::use(company_id));
    q += " AND company_id = :c";
  }
  if (for_update && dialect_ == Dialect::kPostgres) q += " FOR UPDATE";
  if (!FetchOne(sql_, st, q)) return std::nullopt;
  return r;
}

std::optional<CheckRunRecord> CheckRepository::InFlight(int64_t workflow_id) {
  CheckRunRecord r;
  soci::statement st(sql_);
  BindRun(st, r);
  st.exchange(soci::use(workflow_id));
  if (!FetchOne(
          sql_, st,
          std::string("SELECT ") + kRunColumns +
              " FROM check_runs WHERE workflow_id = :w AND state <> 'finished' ORDER BY id DESC LIMIT 1"))
    return std::nullopt;
  return r;
}

std::vector<CheckRunRecord> CheckRepository::Runs(int64_t company_id, int64_t workflow_id, int limit,
                                                  int offset) {
  std::vector<CheckRunRecord> out;
  CheckRunRecord r;
  soci::statement st(sql_);
  BindRun(st, r);
  st.exchange(soci::use(company_id));
  st.exchange(soci::use(workflow_id));
  st.exchange(soci::use(limit));
  st.exchange(soci::use(offset));
  PrepareBound(st,
               std::string("SELECT ") + kRunColumns +
                   " FROM check_runs WHERE company_id = :c AND workflow_id = :w ORDER BY id DESC LIMIT :l "
                   "OFFSET :o");
  st.execute();
  while (st.fetch()) out.push_back(r);
  return out;
}

int64_t CheckRepository::CountRuns(int64_t company_id, int64_t workflow_id) {
  int64_t n = 0;
  sql_ << "SELECT COUNT(*) FROM check_runs WHERE company_id = :c AND workflow_id = :w", soci::use(company_id),
      soci::use(workflow_id), soci::into(n);
  return n;
}

bool CheckRepository::StartRun(int64_t id, int64_t now) {
  soci::statement st =
      (sql_.prepare << "UPDATE check_runs SET state = 'running', started_at = :n, attempts = "
                       "attempts + 1 WHERE id = :id AND state <> 'finished'",
       soci::use(now), soci::use(id));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

std::vector<std::string> CheckRepository::ClearSteps(int64_t run_id) {
  std::vector<std::string> keys;
  std::optional<std::string> key;
  soci::statement st =
      (sql_.prepare << "DELETE FROM check_run_steps WHERE run_id = :r RETURNING screenshot_key",
       soci::use(run_id), soci::into(key));
  st.execute();
  while (st.fetch())
    if (key) keys.push_back(*key);
  return keys;
}

void CheckRepository::InsertStep(const CheckStepRecord& s) {
  sql_ << "INSERT INTO check_run_steps (run_id, idx, step_id, step_number, field_label, outcome, method, "
          "score, "
          "time_ms, page_url, box, screenshot_key, width, height, message) VALUES (:r, :i, :s, :n, :f, :o, "
          ":m, "
          ":sc, :t, :u, :b, :k, :w, :h, :msg) ON CONFLICT (run_id, idx) DO UPDATE SET outcome = "
          "excluded.outcome, "
          "method = excluded.method, score = excluded.score, time_ms = excluded.time_ms, page_url = "
          "excluded.page_url, box = excluded.box, screenshot_key = excluded.screenshot_key, width = "
          "excluded.width, height = excluded.height, message = excluded.message",
      soci::use(s.run_id), soci::use(s.idx), soci::use(s.step_id), soci::use(s.step_number),
      soci::use(s.field_label), soci::use(s.outcome), soci::use(s.method), soci::use(s.score),
      soci::use(s.time_ms), soci::use(s.page_url), soci::use(s.box_json), soci::use(s.screenshot_key),
      soci::use(s.width), soci::use(s.height), soci::use(s.message);
}

std::vector<CheckStepRecord> CheckRepository::Steps(int64_t run_id) {
  std::vector<CheckStepRecord> out;
  CheckStepRecord s;
  soci::statement st(sql_);
  st.exchange(soci::into(s.run_id));
  st.exchange(soci::into(s.idx));
  st.exchange(soci::into(s.step_id));
  st.exchange(soci::into(s.step_number));
  st.exchange(soci::into(s.field_label));
  st.exchange(soci::into(s.outcome));
  st.exchange(soci::into(s.method));
  st.exchange(soci::into(s.score));
  st.exchange(soci::into(s.time_ms));
  st.exchange(soci::into(s.page_url));
  st.exchange(soci::into(s.box_json));
  st.exchange(soci::into(s.screenshot_key));
  st.exchange(soci::into(s.width));
  st.exchange(soci::into(s.height));
  st.exchange(soci::into(s.message));
  st.exchange(soci::use(run_id));
  PrepareBound(
      st,
      "SELECT run_id, idx, step_id, step_number, field_label, outcome, method, score, time_ms, page_url, "
      "box, screenshot_key, width, height, message FROM check_run_steps WHERE run_id = :r ORDER BY idx");
  st.execute();
  while (st.fetch()) out.push_back(s);
  return out;
}

void CheckRepository::FinishRun(const CheckRunRecord& r) {
  sql_ << "UPDATE check_runs SET state = 'finished', status = :st, finished_at = :f, duration_ms = :d, "
          "steps_total = :t, steps_found = :fo, steps_healed = :h, steps_missing = :m, message = :msg WHERE "
          "id = "
          ":id",
      soci::use(r.status), soci::use(r.finished_at), soci::use(r.duration_ms), soci::use(r.steps_total),
      soci::use(r.steps_found), soci::use(r.steps_healed), soci::use(r.steps_missing), soci::use(r.message),
      soci::use(r.id);
}

void CheckRepository::SetResult(int64_t workflow_id, const std::string& status, int64_t run_id, int64_t at) {
  sql_ << "UPDATE workflow_checks SET status = :s, last_run_id = :r, last_run_at = :a WHERE workflow_id = :w",
      soci::use(status), soci::use(run_id), soci::use(at), soci::use(workflow_id);
  sql_ << "UPDATE workflows SET check_status = :s WHERE id = :w", soci::use(status), soci::use(workflow_id);
}

std::vector<DueCheck> CheckRepository::ClaimDue(int64_t now, int limit,
                                                const std::function<int64_t(int64_t)>& next) {
  struct Row {
    int64_t workflow_id, company_id, interval, next_run_at;
    std::string mode;
  };
  std::vector<Row> rows;
  {
    Row r{};
    soci::statement st =
        (sql_.prepare
             << "SELECT c.workflow_id, c.company_id, c.interval_minutes, c.next_run_at, c.mode FROM "
                "workflow_checks c JOIN workflows w ON w.id = c.workflow_id WHERE c.enabled = 1 AND "
                "c.next_run_at <= :n AND w.status = 'active' AND NOT EXISTS (SELECT 1 FROM check_runs "
                "r WHERE r.workflow_id = c.workflow_id AND r.state <> 'finished') ORDER BY c.next_run_at "
                "LIMIT :l",
         soci::use(now), soci::use(limit), soci::into(r.workflow_id), soci::into(r.company_id),
         soci::into(r.interval), soci::into(r.next_run_at), soci::into(r.mode));
    st.execute();
    while (st.fetch()) rows.push_back(r);
  }
  std::vector<DueCheck> out;
  for (const auto& r : rows) {
    const int64_t at = next(r.interval);
    soci::statement move =
        (sql_.prepare << "UPDATE workflow_checks SET next_run_at = :a WHERE workflow_id = :w "
                         "AND next_run_at = :old",
         soci::use(at), soci::use(r.workflow_id), soci::use(r.next_run_at));
    move.execute(true);
    if (move.get_affected_rows() != 1) continue;  // another process took it
    CheckRunRecord run;
    run.company_id = r.company_id;
    run.workflow_id = r.workflow_id;
    run.trigger = "schedule";
    run.mode = r.mode;
    run.state = "queued";
    run.created_at = now;
    out.push_back(DueCheck{InsertRun(run), r.workflow_id, r.company_id});
  }
  return out;
}

std::vector<std::pair<int64_t, std::vector<std::string>>> CheckRepository::OldRuns(int64_t before, int keep,
                                                                                   int limit) {
  std::vector<int64_t> ids;
  {
    int64_t id = 0;
    soci::statement st =
        (sql_.prepare
             << "SELECT r.id FROM check_runs r WHERE r.state = 'finished' AND (r.finished_at < :b OR "
                "(SELECT COUNT(*) FROM check_runs n WHERE n.workflow_id = r.workflow_id AND n.id > r.id) "
                ">= :k) ORDER BY r.id LIMIT :l",
         soci::use(before), soci::use(keep), soci::use(limit), soci::into(id));
    st.execute();
    while (st.fetch()) ids.push_back(id);
  }
  std::vector<std::pair<int64_t, std::vector<std::string>>> out;
  for (const int64_t id : ids) {
    std::vector<std::string> keys;
    std::optional<std::string> key;
    soci::statement st = (sql_.prepare << "SELECT screenshot_key FROM check_run_steps WHERE run_id = :r",
                          soci::use(id), soci::into(key));
    st.execute();
    while (st.fetch())
      if (key) keys.push_back(*key);
    out.emplace_back(id, std::move(keys));
  }
  return out;
}

void CheckRepository::DeleteRun(int64_t id) {
  sql_ << "DELETE FROM check_runs WHERE id = :id", soci::use(id);
}

int64_t CheckRepository::SaveSession(const CheckSessionRecord& r) {
  int64_t id = 0;
  sql_
      << "INSERT INTO check_sessions (company_id, origin, key_id, sealed, cookie_count, local_storage_count, "
         "captured_at, captured_by) VALUES (:c, :o, :k, :s, :cc, :lc, :at, :by) ON CONFLICT (company_id, "
         "origin) "
         "DO UPDATE SET key_id = excluded.key_id, sealed = excluded.sealed, cookie_count = "
         "excluded.cookie_count, "
         "local_storage_count = excluded.local_storage_count, captured_at = excluded.captured_at, "
         "captured_by = "
         "excluded.captured_by RETURNING id",
      soci::use(r.company_id), soci::use(r.origin), soci::use(r.key_id), soci::use(r.sealed),
      soci::use(r.cookie_count), soci::use(r.local_storage_count), soci::use(r.captured_at),
      soci::use(r.captured_by), soci::into(id);
  return id;
}

std::vector<CheckSessionRecord> CheckRepository::Sessions(int64_t company_id) {
  std::vector<CheckSessionRecord> out;
  CheckSessionRecord r;
  soci::statement st(sql_);
  BindSession(st, r);
  st.exchange(soci::use(company_id));
  PrepareBound(st, std::string("SELECT ") + kSessionColumns +
                       " FROM check_sessions WHERE company_id = :c ORDER BY origin LIMIT 1000");
  st.execute();
  while (st.fetch()) out.push_back(r);
  return out;
}

std::optional<CheckSessionRecord> CheckRepository::SessionFor(int64_t company_id, const std::string& origin) {
  CheckSessionRecord r;
  soci::statement st(sql_);
  BindSession(st, r);
  st.exchange(soci::use(company_id));
  st.exchange(soci::use(origin));
  if (!FetchOne(sql_, st,
                std::string("SELECT ") + kSessionColumns +
                    " FROM check_sessions WHERE company_id = :c AND origin = :o"))
    return std::nullopt;
  return r;
}

bool CheckRepository::DeleteSession(int64_t company_id, int64_t id) {
  soci::statement st = (sql_.prepare << "DELETE FROM check_sessions WHERE company_id = :c AND id = :id",
                        soci::use(company_id), soci::use(id));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

}  // namespace stepwise::storage
