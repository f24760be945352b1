#pragma once
// Scheduled checks: a workflow's check settings, its runs and their filmstrip steps, and the
// sessions saved for checks. Times are Unix milliseconds.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/db/database.hpp"

namespace stepwise::storage {

struct CheckSettingsRecord {
  int64_t workflow_id = 0;
  int64_t company_id = 0;
  bool enabled = false;
  int64_t interval_minutes = 60;
  std::string mode = "locate";
  std::optional<std::string> values_key_id;
  std::optional<std::string> values_sealed;
  std::string value_step_ids_json = "[]";
  std::optional<std::string> status;
  std::optional<int64_t> last_run_id;
  std::optional<int64_t> last_run_at;
  std::optional<int64_t> next_run_at;
  std::optional<int64_t> updated_at;
  std::optional<int64_t> updated_by;
};

struct CheckRunRecord {
  int64_t id = 0;
  int64_t company_id = 0;
  int64_t workflow_id = 0;
  std::string trigger;  // schedule | manual
  std::string mode;     // locate | replay
  std::string state;    // queued | running | finished
  std::optional<std::string> status;
  std::optional<int64_t> requested_by;
  int64_t created_at = 0;
  std::optional<int64_t> started_at;
  std::optional<int64_t> finished_at;
  std::optional<int64_t> duration_ms;
  int64_t attempts = 0;
  int64_t steps_total = 0;
  int64_t steps_found = 0;
  int64_t steps_healed = 0;
  int64_t steps_missing = 0;
  std::optional<std::string> message;
};

struct CheckStepRecord {
  int64_t run_id = 0;
  int64_t idx = 0;
  std::optional<int64_t> step_id;
  int64_t step_number = 0;
  std::optional<std::string> field_label;
  std::string outcome;
  std::optional<std::string> method;
  std::optional<double> score;
  int64_t time_ms = 0;
  std::optional<std::string> page_url;
  std::optional<std::string> box_json;
  std::optional<std::string> screenshot_key;
  std::optional<int64_t> width;
  std::optional<int64_t> height;
  std::optional<std::string> message;
};

struct CheckSessionRecord {
  int64_t id = 0;
  int64_t company_id = 0;
  std::string origin;
  std::string key_id;
  std::string sealed;
  int64_t cookie_count = 0;
  int64_t local_storage_count = 0;
  int64_t captured_at = 0;
  std::optional<int64_t> captured_by;
};

// A check the schedule made due: its run was created and is to be queued.
struct DueCheck {
  int64_t run_id = 0;
  int64_t workflow_id = 0;
  int64_t company_id = 0;
};

class CheckRepository {
 public:
  CheckRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}

  std::optional<CheckSettingsRecord> Settings(int64_t company_id, int64_t workflow_id, bool for_update);
  void SaveSettings(const CheckSettingsRecord& r);

  int64_t InsertRun(const CheckRunRecord& r);
  // company_id 0: any company (the worker, which has only the run's id).
  std::optional<CheckRunRecord> Run(int64_t company_id, int64_t id, bool for_update = false);
  // The queued or running run of a workflow, if any.
  std::optional<CheckRunRecord> InFlight(int64_t workflow_id);
  std::vector<CheckRunRecord> Runs(int64_t company_id, int64_t workflow_id, int limit, int offset);
  int64_t CountRuns(int64_t company_id, int64_t workflow_id);
  // queued|running → running, attempts + 1; false when the run is finished (or gone).
  bool StartRun(int64_t id, int64_t now);
  // Forgets the steps of an earlier attempt; returns their screenshot keys.
  std::vector<std::string> ClearSteps(int64_t run_id);
  void InsertStep(const CheckStepRecord& s);
  std::vector<CheckStepRecord> Steps(int64_t run_id);
  void FinishRun(const CheckRunRecord& r);
  // The result on the check and on the workflow (its check_status).
  void SetResult(int64_t workflow_id, const std::string& status, int64_t run_id, int64_t at);

  // Enabled checks of active workflows whose time came, without a run in flight: each gets a
  // queued run and its next time (next_run_at moved only if nobody moved it first). At most `limit`.
  // `next` gives a check's next time from its interval.
  std::vector<DueCheck> ClaimDue(int64_t now, int limit, const std::function<int64_t(int64_t)>& next);

  // Finished runs older than `before` or beyond the newest `keep` of their workflow: ids and screenshot keys.
  std::vector<std::pair<int64_t, std::vector<std::string>>> OldRuns(int64_t before, int keep, int limit);
  void DeleteRun(int64_t id);

  int64_t SaveSession(const CheckSessionRecord& r);
  std::vector<CheckSessionRecord> Sessions(int64_t company_id);
  std::optional<CheckSessionRecord> SessionFor(int64_t company_id, const std::string& origin);
  bool DeleteSession(int64_t company_id, int64_t id);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

}  // namespace stepwise::storage
