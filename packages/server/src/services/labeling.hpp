#pragma once
// Labeling of recorded steps: with AI vendors one job per step (so that steps of one workflow are
// labeled in parallel, within the AI limit); with the local labeler alone one job per workflow,
// written in one transaction (it needs no network and takes microseconds a step); the label
// cache, progress events, the move to needs_review with a "ready for review" alert, and a watchdog
// so that no workflow stays in processing.
#include <vector>

#include "ai/chain.hpp"
#include "core/versions.hpp"
#include "jobs/queue.hpp"
#include "jobs/worker.hpp"
#include "services/accounts.hpp"
#include "services/events.hpp"
#include "services/notifications.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/db/database.hpp"
#include "storage/db/labeling.hpp"

namespace stepwise::services {

struct LabelingOptions {
  int64_t deadline_ms = 10 * 60 * 1000;  // after this, the watchdog finishes a workflow's labeling
  int64_t watchdog_period_ms = 60 * 1000;
};

// The signature under which a step's label is cached: normalised element data, action type, the
// page path, and whether a value was entered.
std::string LabelSignature(const ai::StepFacts& facts);

class LabelingService {
 public:
  static constexpr const char* kLabelStep = "label_step";
  static constexpr const char* kLabelWorkflow = "label_workflow";
  static constexpr const char* kWatchdog = "labeling_watchdog";

  LabelingService(storage::Database& db, storage::BlobStore& blobs, jobs::Queue& queue, ai::LabelChain& chain,
                  EventBus& events, NotificationService& notifications, core::VersionCounters* versions,
                  LabelingOptions options = {});

  // In the transaction that created the workflow (status processing): every step pending, one job
  // each (one for the workflow with the local labeler alone). Flush the queue after the commit.
  void QueueIn(soci::session& sql, int64_t company_id, int64_t workflow_id);
  void AfterCommit() { queue_.Flush(); }
  // POST /relabel: the chosen steps (all when empty) again; edited fields are kept.
  struct Relabeled {
    std::string status;
    int64_t queued = 0;
  };
  Relabeled Relabel(const Caller& caller, int64_t workflow_id, const std::vector<int64_t>& step_ids);
  storage::LabelProgress Progress(int64_t workflow_id);
  int64_t CacheHits(int64_t company_id);

  void Register(jobs::Registry& registry);
  std::vector<jobs::PeriodicTask> Periodic() const;

  // The tasks (public for tests and benchmarks).
  // `fresh`: asked again (relabel), so the label cache is not used.
  void LabelStep(int64_t step_id, bool fresh = false);
  // Every pending step of the workflow by the local labeler, in one transaction.
  void LabelWorkflow(int64_t workflow_id);
  int Watchdog();

 private:
  struct Labeled {
    storage::StepToLabel step;
    ai::Label label;
  };
  // Jobs for the pending `step_ids` of a workflow, in the caller's transaction.
  void EnqueueIn(soci::session& sql, int64_t workflow_id, const std::vector<int64_t>& step_ids, bool fresh);
  // Writes labels of steps of one workflow in one transaction; then progress, and the move to
  // needs_review when the last step is done.
  void Store(const std::vector<Labeled>& labeled, bool fallback);
  // The pending steps of a workflow with their local labels.
  std::vector<Labeled> LocalLabels(int64_t workflow_id);

  storage::Database& db_;
  storage::BlobStore& blobs_;
  jobs::Queue& queue_;
  ai::LabelChain& chain_;
  EventBus& events_;
  NotificationService& notifications_;
  core::VersionCounters* versions_;
  LabelingOptions options_;
};

}  // namespace stepwise::services
