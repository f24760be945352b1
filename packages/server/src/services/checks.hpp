#pragma once
// Scheduled checks (docs/checker.md): the server walks a published workflow itself in headless
// Chromium (the checker process), on a schedule or at once, and records what it found per step
// (the filmstrip). A step not found marks the workflow at risk and tells the admins before a
// colleague is stuck; a heal the check makes is the server's own decision (HealService, as the
// admin who owns the check), shared with the colleagues who come next. Signed-in apps use a session
// an admin saved from the extension, sealed at rest.
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sealed_box.hpp"
#include "core/versions.hpp"
#include "jobs/queue.hpp"
#include "services/accounts.hpp"
#include "services/checker.hpp"
#include "services/healing.hpp"
#include "services/notifications.hpp"
#include "services/workflows.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/db/checks.hpp"
#include "storage/db/database.hpp"

namespace stepwise::services {

struct CheckOptions {
  int concurrency = 2;
  int64_t timeout_ms = 120000;
  bool allow_private = false;
  int64_t minute_ms = 60000;
  int viewport_width = 1280;
  int viewport_height = 800;
  int keep_runs = 50;                              // per workflow, the newest ...
  int64_t retention_ms = 30LL * 24 * 3600 * 1000;  // ... and none older than this
};

struct CheckSettingsPatch {
  std::optional<bool> enabled;
  std::optional<int64_t> interval_minutes;
  std::optional<std::string> mode;
  std::map<int64_t, std::optional<std::string>> values;  // step id → value (nullopt removes)
};

struct CheckRunView {
  storage::CheckRunRecord run;
  std::vector<storage::CheckStepRecord> steps;
};

struct CheckCookie {
  std::string name, value, domain, path;
  std::optional<double> expires;
  bool http_only = false;
  bool secure = false;
  std::optional<std::string> same_site;
};
struct CheckSessionInput {
  std::string origin;
  std::vector<CheckCookie> cookies;
  std::vector<std::pair<std::string, std::string>> local_storage;
};

// How a finished check went, from the checker's own verdict and the steps' outcomes: the
// checker's session_expired or error stands; otherwise a step not found (or only uncertain, or
// in error) is at_risk, and every step found or healed (or unreachable in locate mode) passed.
std::string DecideCheckStatus(const std::string& checker_status, const std::vector<std::string>& outcomes);

// The alert a new check status raises after the previous one; nullopt for none.
struct CheckAlert {
  std::string type;
  std::string severity;
  std::string title;
  std::string message;
};
std::optional<CheckAlert> CheckStatusAlert(const std::optional<std::string>& previous,
                                           const std::string& status, const std::string& workflow_name,
                                           const std::string& detail);

// "scheme://host[:port]" of an http(s) URL (default ports left out), lowercased; nullopt otherwise.
std::optional<std::string> OriginOf(const std::string& url);
// A cookie domain set for `host`: the host itself or a parent domain of it (a leading dot allowed).
bool CookieDomainMatches(const std::string& domain, const std::string& host);

class CheckService {
 public:
  static constexpr const char* kRun = "check_run";
  static constexpr const char* kSchedule = "checks_schedule";
  static constexpr const char* kRetention = "check_retention";

  // Renders a workflow as the checker reads it (the steps as getWorkflow shows them).
  using WorkflowRenderer = std::function<nlohmann::json(const WorkflowDetail&)>;

  CheckService(storage::Database& db, storage::BlobStore& blobs, jobs::Queue& queue,
               WorkflowService& workflows, HealService& healing, NotificationService& notifications,
               core::VersionCounters* versions, const core::KeyRing& keys, CheckerProcess* checker,
               WorkflowRenderer render, CheckOptions options)
      : db_(db),
        blobs_(blobs),
        queue_(queue),
        workflows_(workflows),
        healing_(healing),
        notifications_(notifications),
        versions_(versions),
        keys_(keys),
        checker_(checker),
        render_(std::move(render)),
        options_(options) {}

  storage::CheckSettingsRecord Settings(const Caller& caller, int64_t workflow_id);
  storage::CheckSettingsRecord Update(const Caller& caller, int64_t workflow_id,
                                      const CheckSettingsPatch& patch);
  CheckRunView RunNow(const Caller& caller, int64_t workflow_id);
  std::pair<std::vector<storage::CheckRunRecord>, int64_t> Runs(const Caller& caller, int64_t workflow_id,
                                                                int limit, int offset);
  CheckRunView Run(const Caller& caller, int64_t run_id);

  storage::CheckSessionRecord SaveSession(const Caller& caller, const CheckSessionInput& input);
  std::vector<storage::CheckSessionRecord> Sessions(const Caller& caller);
  void DeleteSession(const Caller& caller, int64_t id);

  // The periodic task: due checks get a queued run.
  int Schedule();
  // The job: one check run, start to finish (retried once in a new checker when it crashes).
  void Execute(int64_t run_id, bool last_attempt);
  // Old runs and their screenshots removed; returns the runs removed.
  int Retention();

 private:
  struct Outcome {
    std::string checker_status = "error";
    std::optional<std::string> message;
    std::vector<std::string> outcomes;
    bool crashed = false;
  };
  // One attempt of a run with the checker: its lines recorded (steps), answered (heals) until done.
  Outcome Converse(const storage::CheckRunRecord& run, const Caller& caller, const WorkflowDetail& detail,
                   const nlohmann::json& message);
  void RecordStep(const storage::CheckRunRecord& run, const WorkflowDetail& detail,
                  const nlohmann::json& line);
  nlohmann::json Heal(const Caller& caller, int64_t workflow_id, const nlohmann::json& line);
  // The run's verdict stored and told; the workflow's steps the check did not reach are recorded
  // as `skipped`.
  void Finish(const storage::CheckRunRecord& run, const WorkflowDetail& detail, const std::string& status,
              const std::optional<std::string>& message);
  Caller CheckCaller(const storage::CheckRunRecord& run);
  std::string SealAad(int64_t company_id, const std::string& what) const;
  void RequireAdmin(const Caller& caller) const;

  storage::Database& db_;
  storage::BlobStore& blobs_;
  jobs::Queue& queue_;
  WorkflowService& workflows_;
  HealService& healing_;
  NotificationService& notifications_;
  core::VersionCounters* versions_;
  const core::KeyRing& keys_;
  CheckerProcess* checker_;
  WorkflowRenderer render_;
  CheckOptions options_;
  // Checks running in this process: at most `concurrency`, so that worker threads stay free for
  // labeling and webhooks; a run that finds no slot is queued again a little later.
  std::mutex slots_mu_;
  int running_ = 0;
};

}  // namespace stepwise::services
