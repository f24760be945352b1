#pragma once
// Recorded workflows and their steps: upload (all or nothing), list, read, edit, delete, and the
// status lifecycle. Every call blocks (database, blob store): run it on a pool thread.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/versions.hpp"
#include "services/accounts.hpp"
#include "services/labeling.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/db/database.hpp"
#include "storage/db/labeling.hpp"
#include "storage/db/records.hpp"
#include "storage/db/variants.hpp"
#include "storage/db/workflows.hpp"

namespace stepwise::services {

struct WorkflowDetail {
  storage::WorkflowRecord workflow;
  std::vector<storage::StepRecord> steps;
  std::map<int64_t, storage::ScreenshotRecord> screenshots;  // by id
  std::optional<storage::LabelProgress> labeling;            // while processing
  // The stored selector variants of each step (by step id), each with its latest votes.
  std::map<int64_t, std::vector<storage::VariantRecord>> variants;
};

// A selector variant that comes with a new workflow (an import): shared, method `imported`.
struct StepVariantSeed {
  int64_t step_number = 0;  // as numbered in the createWorkflow body
  std::string selector;
  std::string selectors_json;
};

struct WorkflowPage {
  std::vector<storage::WorkflowRecord> items;
  int64_t total = 0;
};

// "https://App.Example.com:443/x?y" → "https://app.example.com"; nullopt when not http(s).
std::optional<std::string> UrlOrigin(std::string_view url);

// The ETag of a workflow as read by Find (version, a 10-minute period, thumbnails made so far,
// changes of its selector variants and votes), and whether an If-Match header value accepts it
// (only the version counts there).
std::string WorkflowETag(const storage::WorkflowRecord& w);

bool IfMatchAccepts(std::string_view if_match, const storage::WorkflowRecord& w);

class WorkflowService {
 public:
  // `versions` (optional) is bumped for a company after each of its writes (api/response_cache).
  // With `labeling`, a new workflow is `processing` and its steps are queued for labeling in the
  // same transaction; without, it stays `draft`.
  WorkflowService(storage::Database& db, storage::BlobStore& blobs, core::VersionCounters* versions = nullptr,
                  LabelingService* labeling = nullptr)
      : db_(db), blobs_(blobs), versions_(versions), labeling_(labeling) {}

  // `body` is a validated createWorkflow request; `variants` are stored with its steps.
  storage::WorkflowRecord Create(const Caller& caller, const nlohmann::json& body,
                                 const std::vector<StepVariantSeed>& variants = {});
  WorkflowPage List(const Caller& caller, storage::WorkflowFilter filter);
  WorkflowDetail Get(const Caller& caller, int64_t id);
  storage::WorkflowRecord Update(const Caller& caller, int64_t id, const nlohmann::json& patch,
                                 std::string_view if_match);
  void Delete(const Caller& caller, int64_t id);

  struct StepEdit {
    std::optional<std::string> field_label;
    std::optional<std::string> instruction;
  };
  struct StepUpdate {
    storage::StepRecord step;
    storage::WorkflowRecord workflow;
    std::optional<storage::ScreenshotRecord> screenshot;
    std::vector<storage::VariantRecord> variants;
  };
  StepUpdate UpdateStep(const Caller& caller, int64_t workflow_id, int64_t step_id, const StepEdit& edit,
                        std::string_view if_match);
  storage::WorkflowRecord DeleteStep(const Caller& caller, int64_t workflow_id, int64_t step_id,
                                     std::string_view if_match);
  WorkflowDetail ReorderSteps(const Caller& caller, int64_t workflow_id, const std::vector<int64_t>& step_ids,
                              std::string_view if_match);

 private:
  storage::WorkflowRecord Locked(storage::WorkflowRepository& repo, const Caller& caller, int64_t id,
                                 std::string_view if_match);
  void RemoveBlobs(const std::vector<storage::ScreenshotRecord>& gone);

  storage::Database& db_;
  storage::BlobStore& blobs_;
  core::VersionCounters* versions_;
  LabelingService* labeling_;
};

}  // namespace stepwise::services
