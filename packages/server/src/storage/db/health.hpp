#pragma once
// Walkthrough reports (health_logs), the health they add up to, and the auto-heal tables.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/db/database.hpp"

namespace stepwise::storage {

struct HealthEntry {
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

struct HealthFields {
  std::string status;
  double success_rate = 0;
  int64_t total_uses = 0;
  int64_t consecutive_failures = 0;
  std::optional<int64_t> last_successful_run;
  std::optional<int64_t> last_failed_run;
};

struct DayCount {
  std::string day;
  std::string status;
  std::string kind;
  int64_t count = 0;
};

struct FailingStepRow {
  int64_t step_id = 0;
  int64_t step_number = 0;
  std::optional<std::string> field_label;
  std::optional<std::string> error_type;
  int64_t count = 0;
};

struct RunRow {
  std::string run_id;
  std::string status;
  int64_t user_id = 0;
  std::optional<std::string> error_type;
  int64_t created_at = 0;
};

struct HealingRow {
  int64_t step_id = 0;
  std::optional<int64_t> step_number;
  std::optional<std::string> field_label;
  std::string status;
  std::optional<double> healing_confidence;
  std::optional<std::string> page_url;
  int64_t created_at = 0;
};

class HealthRepository {
 public:
  HealthRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}

  // Inserts the entries whose client_id is not known in this company yet, with one prepared
  // statement; element i says whether entry i was new.
  std::vector<bool> InsertMany(int64_t company_id, int64_t workflow_id, int64_t user_id,
                               const std::vector<HealthEntry>& entries, int64_t now);
  // Outcomes (success, completed_with_skips, failed) of the last `n` finished runs, newest first.
  std::vector<std::string> LastRuns(int64_t workflow_id, int n);
  // Finished runs and successes since `since`.
  std::pair<int64_t, int64_t> RunsSince(int64_t workflow_id, int64_t since);
  HealthFields Fields(int64_t company_id, int64_t workflow_id);
  void SetFields(int64_t company_id, int64_t workflow_id, const HealthFields& f);
  // Whether a notification of this type was made for the workflow since `since`.
  bool NotifiedSince(int64_t workflow_id, const std::string& type, int64_t since);

  std::vector<DayCount> Days(int64_t workflow_id, int64_t since);
  std::vector<FailingStepRow> FailingSteps(int64_t workflow_id, int64_t since);
  std::vector<RunRow> RecentRuns(int64_t workflow_id, int limit);
  std::vector<HealingRow> HealingEvents(int64_t workflow_id, int limit);
  // Deletes entries older than `before`; returns how many.
  int64_t DeleteOlderThan(int64_t before, int limit);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

}  // namespace stepwise::storage
