#include "services/health.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/errors.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "services/workflow_status.hpp"
#include "storage/db/workflows.hpp"

namespace stepwise::services {

using nlohmann::json;
using storage::HealthRepository;

namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000;

std::vector<storage::HealthEntry> Rows(const std::vector<RunReportEntry>& entries) {
  std::vector<storage::HealthEntry> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries) {
    rows.push_back({e.client_id, e.run_id, e.step_id, e.status, e.error_type, e.error_message,
                    e.healing_confidence, e.deterministic_score, e.ai_confidence, e.candidates_evaluated,
                    e.page_state_hash, e.page_url, e.execution_time_ms});
  }
  return rows;
}

}  // namespace

RunEffect EffectOfRun(const std::string& status, const std::optional<std::string>& error_type) {
  if (status == "success") return RunEffect::kSuccess;
  if (status == "failed") return RunEffect::kFailure;
  if (status == "completed_with_skips")
    return error_type && *error_type == "element_not_found" ? RunEffect::kFailure : RunEffect::kNeutral;
  return RunEffect::kNone;  // abandoned
}

namespace {

bool IsRunOutcome(const std::string& s) {
  return s == "success" || s == "completed_with_skips" || s == "failed" || s == "abandoned";
}

bool IsStepStatus(const std::string& s) {
  return s == "success" || s == "healed_deterministic" || s == "healed_ai" || s == "failed" || s == "skipped";
}

std::string Quoted(const std::string& name) {
  return "\u201c" + core::TruncateUtf8(name, 200, true) + "\u201d";
}

}  // namespace

AppliedRuns ApplyRuns(storage::HealthFields f, const std::vector<RunOutcome>& runs,
                      const std::string& workflow_name, int64_t now, const HealthOptions& options) {
  AppliedRuns out;
  bool new_success = false;
  for (const auto& run : runs) {
    const RunEffect effect = EffectOfRun(run.status, run.error_type);
    if (effect != RunEffect::kNone) ++f.total_uses;  // a finished run
    if (effect == RunEffect::kNeutral || effect == RunEffect::kFailure) out.finished_unsuccessfully = true;
    if (effect == RunEffect::kSuccess) {
      f.consecutive_failures = 0;
      f.last_successful_run = now;
      new_success = true;
      if (f.status == "broken") {
        f.status = Transition(f.status, WorkflowStatus::kActive, ChangedBy::kServer);
        out.alerts.push_back({"workflow_recovered", "info", Quoted(workflow_name) + " works again",
                              "A run completed after it broke."});
      }
    } else if (effect == RunEffect::kFailure) {
      ++f.consecutive_failures;
      f.last_failed_run = now;
      if (f.status == "active" && f.consecutive_failures >= options.broken_after) {
        f.status = Transition(f.status, WorkflowStatus::kBroken, ChangedBy::kServer);
        out.alerts.push_back(
            {"workflow_broken", "error", Quoted(workflow_name) + " is broken",
             std::to_string(f.consecutive_failures) + " runs in a row failed. Check the failing steps."});
      }
    }
  }
  out.success_rate_stale = new_success || out.finished_unsuccessfully;
  out.fields = std::move(f);
  return out;
}

std::optional<RunAlert> HighFailureAlert(int64_t total, int64_t ok, bool notified_recently,
                                         const std::string& workflow_name, const HealthOptions& options) {
  if (notified_recently || total < options.high_failure_min_runs ||
      static_cast<double>(ok) >= options.high_failure_rate * static_cast<double>(total)) {
    return std::nullopt;
  }
  return RunAlert{"high_failure_rate", "warning", Quoted(workflow_name) + " fails often",
                  std::to_string(total - ok) + " of " + std::to_string(total) +
                      " runs failed or skipped steps in the last 7 days."};
}

HealthBatchResult HealthService::Report(const Caller& caller, int64_t workflow_id,
                                        const std::vector<RunReportEntry>& entries) {
  HealthBatchResult result;
  std::vector<storage::NotificationRecord> notes;
  std::string before_status;
  db_.Transaction([&](soci::session& sql) {
    storage::WorkflowRepository workflows(sql, db_.GetDialect());
    // The row lock serialises concurrent batches of one workflow: the counts stay exact.
    auto w = workflows.FindForUpdate(caller.company_id, workflow_id);
    if (!w || (caller.role != "admin" && !IsRunnable(w->status))) {
      throw core::NotFound("WORKFLOW_NOT_FOUND", "Workflow not found");
    }
    if (!IsRunnable(w->status)) {
      throw core::Conflict("WORKFLOW_NOT_RUNNABLE",
                           "Runs are reported on active, needs_review or broken workflows");
    }
    const auto ids = storage::StepRepository(sql, db_.GetDialect()).Ids(workflow_id);
    const std::set<int64_t> step_ids(ids.begin(), ids.end());
    json errors = json::array();
    for (size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      const std::string at = "/entries/" + std::to_string(i);
      if (e.step_id && !step_ids.count(*e.step_id)) {
        errors.push_back({{"pointer", at + "/step_id"}, {"message", "no such step in this workflow"}});
      }
      if (!e.step_id && !IsRunOutcome(e.status)) {
        errors.push_back({{"pointer", at + "/status"},
                          {"message",
                           "a run outcome (step_id null) is success, completed_with_skips, failed or "
                           "abandoned"}});
      }
      if (e.step_id && !IsStepStatus(e.status)) {
        errors.push_back({{"pointer", at + "/status"},
                          {"message", e.status + " is a run outcome (step_id null); a step is success, "
                                                 "healed_deterministic, healed_ai, failed or skipped"}});
      }
    }
    if (!errors.empty()) {
      throw core::ValidationErrors(errors);
    }
    HealthRepository repo(sql, db_.GetDialect());
    const auto before = repo.Fields(caller.company_id, workflow_id);
    before_status = before.status;
    const int64_t now = core::NowMillis();
    const std::string url = notifications_.WorkflowUrl(workflow_id, "health");
    auto notify = [&](const RunAlert& a) {
      if (auto n = notifications_.CreateIn(sql, NewNotification{caller.company_id, workflow_id, a.type,
                                                                a.severity, a.title, a.message, url})) {
        notes.push_back(*n);
      }
    };
    // Runs in the order sent, each with its effect on the status: the result does not depend on
    // how the runs were split into batches.
    const auto inserted = repo.InsertMany(caller.company_id, workflow_id, caller.user_id, Rows(entries), now);
    std::vector<RunOutcome> runs;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!inserted[i]) {
        ++result.duplicates;
        continue;
      }
      ++result.accepted;
      if (!entries[i].step_id) runs.push_back({entries[i].status, entries[i].error_type});
    }
    auto applied = ApplyRuns(before, runs, w->name, now, options_);
    auto& f = applied.fields;
    for (const auto& a : applied.alerts) notify(a);
    if (applied.success_rate_stale) {
      const auto last = repo.LastRuns(workflow_id, 50);
      const auto ok = std::count(last.begin(), last.end(), "success");
      f.success_rate = last.empty() ? 0.0 : static_cast<double>(ok) / static_cast<double>(last.size());
    }
    if (applied.finished_unsuccessfully) {
      const auto [total, ok] = repo.RunsSince(workflow_id, now - 7 * kDay);
      // The "already raised today" query only when the rate is low at all (usually it is not).
      if (auto a = HighFailureAlert(total, ok, false, w->name, options_);
          a && !repo.NotifiedSince(workflow_id, "high_failure_rate", now - kDay)) {
        notify(*a);
      }
    }
    repo.SetFields(caller.company_id, workflow_id, f);
    result.workflow = f;
  });
  if (versions_ != nullptr && result.accepted > 0) versions_->Bump(caller.company_id);
  for (const auto& n : notes) notifications_.Announce(n);
  if (result.workflow.status != before_status) {
    events_.Publish(caller.company_id, "workflow_status",
                    {{"workflow_id", workflow_id}, {"status", result.workflow.status}});
  }
  return result;
}

WorkflowHealthReport HealthService::HealthReport(const Caller& caller, int64_t workflow_id, int days) {
  return db_.Read([&](soci::session& sql) {
    auto w = storage::WorkflowRepository(sql, db_.GetDialect()).Find(caller.company_id, workflow_id);
    if (!w) throw core::NotFound("WORKFLOW_NOT_FOUND", "Workflow not found");
    HealthRepository repo(sql, db_.GetDialect());
    WorkflowHealthReport report;
    report.workflow_id = workflow_id;
    report.workflow_name = w->name;
    report.fields = repo.Fields(caller.company_id, workflow_id);
    const int64_t now = core::NowMillis();
    const int64_t since = (now / kDay - (days - 1)) * kDay;  // from the start of the first UTC day
    std::map<std::string, HealthDay> by_day;
    for (int64_t d = since; d <= now; d += kDay) {
      const std::string day = core::FormatIsoMillis(d).substr(0, 10);
      by_day[day].date = day;
    }
    for (const auto& c : repo.Days(workflow_id, since)) {
      auto it = by_day.find(c.day);
      if (it == by_day.end()) continue;
      HealthDay& day = it->second;
      if (c.kind == "run") {
        if (c.status == "success") day.success += c.count;
        if (c.status == "completed_with_skips") day.completed_with_skips += c.count;
        if (c.status == "failed") day.failed += c.count;
        if (c.status == "abandoned") day.abandoned += c.count;
      } else if (c.kind == "step" && (c.status == "healed_deterministic" || c.status == "healed_ai")) {
        day.healed += c.count;
      }
    }
    for (auto& [_, day] : by_day) report.days.push_back(std::move(day));

    std::map<int64_t, FailingStep> failing;
    for (const auto& r : repo.FailingSteps(workflow_id, since)) {
      auto [it, fresh] = failing.try_emplace(r.step_id);
      FailingStep& f = it->second;
      if (fresh) {
        f.step_id = r.step_id;
        f.step_number = r.step_number;
        f.field_label = r.field_label;
      }
      f.failures += r.count;
      f.error_types[r.error_type.value_or("unknown")] += r.count;
    }
    for (auto& [_, f] : failing) report.failing_steps.push_back(std::move(f));
    std::sort(report.failing_steps.begin(), report.failing_steps.end(),
              [](const FailingStep& a, const FailingStep& b) { return a.failures > b.failures; });
    if (report.failing_steps.size() > 20) report.failing_steps.resize(20);
    report.recent_runs = repo.RecentRuns(workflow_id, 50);
    report.healing_events = repo.HealingEvents(workflow_id, 50);
    return report;
  });
}

int64_t HealthService::Retention() {
  const int64_t before = core::NowMillis() - options_.retention_days * kDay;
  int64_t total = 0;
  for (;;) {
    const int64_t n = db_.Transaction([&](soci::session& sql) {
      return HealthRepository(sql, db_.GetDialect()).DeleteOlderThan(before, 5000);
    });
    total += n;
    if (n < 5000) break;
  }
  return total;
}

}  // namespace stepwise::services
