// ApplyRuns and HighFailureAlert: the decisions of a health batch, every threshold edge.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/health.hpp"

namespace stepwise::services {
namespace {

storage::HealthFields Fields(const std::string& status, int64_t streak) {
  storage::HealthFields f;
  f.status = status;
  f.consecutive_failures = streak;
  f.total_uses = 10;
  return f;
}

RunOutcome Outcome(const std::string& status, std::optional<std::string> error_type = std::nullopt) {
  return {status, std::move(error_type)};
}

struct Case {
  const char* name;
  std::string status;
  int64_t streak;
  std::vector<RunOutcome> runs;
  std::string want_status;
  int64_t want_streak;
  int64_t want_uses;
  std::vector<std::string> want_alerts;
  bool want_stale;
  bool want_unsuccessful;
};

class ApplyRunsTable : public ::testing::TestWithParam<Case> {};

TEST_P(ApplyRunsTable, Decides) {
  const auto& c = GetParam();
  HealthOptions options;  // broken after 3
  const auto out = ApplyRuns(Fields(c.status, c.streak), c.runs, "Pay a bill", 1000, options);
  EXPECT_EQ(out.fields.status, c.want_status);
  EXPECT_EQ(out.fields.consecutive_failures, c.want_streak);
  EXPECT_EQ(out.fields.total_uses, c.want_uses);
  std::vector<std::string> alerts;
  for (const auto& a : out.alerts) alerts.push_back(a.type);
  EXPECT_EQ(alerts, c.want_alerts);
  EXPECT_EQ(out.success_rate_stale, c.want_stale);
  EXPECT_EQ(out.finished_unsuccessfully, c.want_unsuccessful);
}

INSTANTIATE_TEST_SUITE_P(
    Thresholds, ApplyRunsTable,
    ::testing::Values(
        Case{"nothing", "active", 0, {}, "active", 0, 10, {}, false, false},
        Case{"abandoned_counts_nothing",
             "active",
             2,
             {Outcome("abandoned")},
             "active",
             2,
             10,
             {},
             false,
             false},
        Case{
            "second_failure_stays_active", "active", 1, {Outcome("failed")}, "active", 2, 11, {}, true, true},
        Case{"third_failure_breaks",
             "active",
             2,
             {Outcome("failed")},
             "broken",
             3,
             11,
             {"workflow_broken"},
             true,
             true},
        Case{"three_in_one_batch_break_once",
             "active",
             0,
             {Outcome("failed"), Outcome("failed"), Outcome("failed"), Outcome("failed")},
             "broken",
             4,
             14,
             {"workflow_broken"},
             true,
             true},
        Case{"success_ends_the_streak", "active", 2, {Outcome("success")}, "active", 0, 11, {}, true, false},
        Case{"success_recovers_broken",
             "broken",
             5,
             {Outcome("success")},
             "active",
             0,
             11,
             {"workflow_recovered"},
             true,
             false},
        Case{"break_then_recover_in_one_batch",
             "active",
             2,
             {Outcome("failed"), Outcome("success")},
             "active",
             0,
             12,
             {"workflow_broken", "workflow_recovered"},
             true,
             true},
        Case{"skip_of_a_found_step_is_neutral",
             "active",
             2,
             {Outcome("completed_with_skips")},
             "active",
             2,
             11,
             {},
             true,
             true},
        Case{"skip_of_a_missing_step_is_a_failure",
             "active",
             2,
             {Outcome("completed_with_skips", "element_not_found")},
             "broken",
             3,
             11,
             {"workflow_broken"},
             true,
             true},
        Case{"needs_review_never_breaks",
             "needs_review",
             9,
             {Outcome("failed")},
             "needs_review",
             10,
             11,
             {},
             true,
             true},
        Case{"broken_stays_broken_on_failure",
             "broken",
             3,
             {Outcome("failed")},
             "broken",
             4,
             11,
             {},
             true,
             true}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ApplyRuns, StampsTheRunTimes) {
  const auto out =
      ApplyRuns(Fields("active", 0), {Outcome("failed"), Outcome("success")}, "W", 4242, HealthOptions{});
  EXPECT_EQ(out.fields.last_failed_run, 4242);
  EXPECT_EQ(out.fields.last_successful_run, 4242);
}

TEST(HighFailureAlert, Edges) {
  HealthOptions o;                                       // below 70 % over at least 10 runs
  EXPECT_FALSE(HighFailureAlert(9, 0, false, "W", o));   // too few runs
  EXPECT_TRUE(HighFailureAlert(10, 6, false, "W", o));   // 60 %
  EXPECT_FALSE(HighFailureAlert(10, 7, false, "W", o));  // exactly 70 %: not below
  EXPECT_FALSE(HighFailureAlert(10, 0, true, "W", o));   // raised in the last day already
  const auto a = HighFailureAlert(20, 5, false, "Pay", o);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->type, "high_failure_rate");
  EXPECT_EQ(a->severity, "warning");
  EXPECT_EQ(a->message, "15 of 20 runs failed or skipped steps in the last 7 days.");
}

}  // namespace
}  // namespace stepwise::services
