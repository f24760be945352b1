#pragma once
// Walkthrough run reports and the health they add up to: counts updated in the reporting
// transaction, alerts (broken after 3 failed runs in a row, recovered, high failure rate), the
// health report, and retention.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/versions.hpp"
#include "services/accounts.hpp"
#include "services/events.hpp"
#include "services/notifications.hpp"
#include "storage/db/database.hpp"
#include "storage/db/health.hpp"

namespace stepwise::services {

struct HealthOptions {
  int broken_after = 3;             // failed runs in a row
  double high_failure_rate = 0.70;  // success rate below this ...
  int high_failure_min_runs = 10;   // ... over at least this many runs in 7 days
  int64_t retention_days = 180;
};

struct HealthBatchResult {
  int accepted = 0;
  int duplicates = 0;
  storage::HealthFields workflow;
};

// One entry of a walkthrough's report (reportHealth's HealthEntry): a step's outcome, or with no
// step_id the run's. `client_id` makes a re-sent entry a duplicate.
struct RunReportEntry {
  std::string client_id;
  std::string run_id;
  std::optional<int64_t> step_id;  // nullopt: the run's outcome
  std::string status;
  std::optional<std::string> error_type;
  std::optional<std::string> error_message;
  std::optional<double> healing_confidence;
  std::optional<double> deterministic_score;
  std::optional<double> ai_confidence;
  std::optional<int64_t> candidates_evaluated;
  std::optional<std::string> page_state_hash;
  std::optional<std::string> page_url;
  std::optional<int64_t> execution_time_ms;
};

// The health report of a workflow (getWorkflowHealth).
struct HealthDay {
  std::string date;  // YYYY-MM-DD, UTC
  int64_t success = 0;
  int64_t completed_with_skips = 0;
  int64_t failed = 0;
  int64_t abandoned = 0;
  int64_t healed = 0;  // steps healed (deterministic or AI)
};
struct FailingStep {
  int64_t step_id = 0;
  int64_t step_number = 0;
  std::optional<std::string> field_label;
  int64_t failures = 0;
  std::map<std::string, int64_t> error_types;  // "unknown" when none was reported
};
struct WorkflowHealthReport {
  int64_t workflow_id = 0;
  std::string workflow_name;
  storage::HealthFields fields;
  std::vector<HealthDay> days;                      // oldest first, every day of the period
  std::vector<FailingStep> failing_steps;           // most failures first, at most 20
  std::vector<storage::RunRow> recent_runs;         // the latest 50
  std::vector<storage::HealingRow> healing_events;  // the latest 50
};

// What a run outcome does to a workflow's health. Every finished run (not abandoned) counts in
// total_uses and in success_rate's denominator; only `success` counts as a success.
//   kSuccess: ends a failure streak (and recovers a broken workflow);
//   kFailure: `failed`, or `completed_with_skips` whose run entry says error_type
//             element_not_found (a skipped step could not be found): extends the streak, may break;
//   kNeutral: any other `completed_with_skips` (the user skipped a step that was found): neither
//             breaks nor ends a streak;
//   kNone:    `abandoned`: not a finished run.
enum class RunEffect { kSuccess, kFailure, kNeutral, kNone };
RunEffect EffectOfRun(const std::string& status, const std::optional<std::string>& error_type);

// The decision of a health batch, without the database: what the new run outcomes (in the order
// sent, duplicates already left out) do to a workflow's fields, and which alerts they raise.
struct RunOutcome {
  std::string status;  // success, completed_with_skips, failed, abandoned
  std::optional<std::string> error_type;
};
struct RunAlert {
  std::string type;      // workflow_broken, workflow_recovered
  std::string severity;  // error, info
  std::string title;
  std::string message;
};
struct AppliedRuns {
  storage::HealthFields fields;
  std::vector<RunAlert> alerts;
  bool success_rate_stale = false;       // a run finished: recount the success rate
  bool finished_unsuccessfully = false;  // failed or skipped: check the high-failure rate
};
AppliedRuns ApplyRuns(storage::HealthFields fields, const std::vector<RunOutcome>& runs,
                      const std::string& workflow_name, int64_t now, const HealthOptions& options);
// The high-failure alert, when `ok` of `total` runs in the last 7 days is too few and none was
// raised in the last day; nullopt otherwise.
std::optional<RunAlert> HighFailureAlert(int64_t total, int64_t ok, bool notified_recently,
                                         const std::string& workflow_name, const HealthOptions& options);

class HealthService {
 public:
  static constexpr const char* kRetention = "health_retention";

  HealthService(storage::Database& db, NotificationService& notifications, EventBus& events,
                core::VersionCounters* versions, HealthOptions options = {})
      : db_(db), notifications_(notifications), events_(events), versions_(versions), options_(options) {}

  HealthBatchResult Report(const Caller& caller, int64_t workflow_id,
                           const std::vector<RunReportEntry>& entries);
  WorkflowHealthReport HealthReport(const Caller& caller, int64_t workflow_id, int days);
  int64_t Retention();

 private:
  storage::Database& db_;
  NotificationService& notifications_;
  EventBus& events_;
  core::VersionCounters* versions_;
  HealthOptions options_;
};

}  // namespace stepwise::services
