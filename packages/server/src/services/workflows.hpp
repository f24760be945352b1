#pragma once
// Recorded workflows and their steps: upload (all or nothing), list, read, edit, delete, and the
// status lifecycle. Every call blocks (database, blob store): run it on a pool thread.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ai/labeler.hpp"
#include "core/errors.hpp"
#include "core/versions.hpp"
#include "services/accounts.hpp"
#include "services/labeling.hpp"
#include "services/workflow_status.hpp"
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

// A recorded step as uploaded (createWorkflow's Step). The recorder's documents (selectors,
// element_meta, page_context, …) are JSON text, stored as sent.
struct StepInput {
  int64_t step_number = 0;
  std::optional<std::string> timestamp;
  std::string action_type;
  std::string selectors_json;
  std::string element_meta_json;
  std::string page_context_json;
  std::optional<std::string> action_data_json;
  std::optional<std::string> dom_context_json;
  std::optional<std::string> expected_outcome_json;
  std::optional<int64_t> screenshot_id;        // an uploaded screenshot of the caller's company
  std::optional<std::string> screenshot_hash;  // when sent, must be that screenshot's hash
};

// A new workflow. Steps come in upload order (a screenshot error names the step by its index
// here, as `/steps/<index>/screenshot_ref`), with unique step numbers; they are stored in
// step-number order, numbered 1..n.
struct WorkflowInput {
  std::string name;  // trimmed, not blank
  std::optional<std::string> description;
  std::string starting_url;  // an http(s) URL with a host
  std::vector<std::string> tags;
  std::vector<StepInput> steps;
};

// An edit of a workflow: only what is set changes.
struct WorkflowPatch {
  std::optional<std::string> name;                        // trimmed, not blank
  std::optional<std::optional<std::string>> description;  // a value, or cleared
  std::optional<std::string> starting_url;                // an http(s) URL with a host
  std::optional<std::vector<std::string>> tags;
  std::optional<WorkflowStatus> status;  // through the transition table
};

// The versions a write accepts the workflow at (what the client last read); nullopt: any.
using ExpectedVersions = std::optional<std::vector<int64_t>>;

// 412 PRECONDITION_FAILED: the workflow is no longer at an expected version. `current` is the
// workflow as it is now (the api names its ETag).
class StaleWorkflow : public core::Error {
 public:
  explicit StaleWorkflow(storage::WorkflowRecord current)
      : core::Error(core::ErrorKind::kPreconditionFailed, "PRECONDITION_FAILED",
                    "The workflow changed since you loaded it; reload and try again"),
        current_(std::move(current)) {}
  const storage::WorkflowRecord& Current() const { return current_; }

 private:
  storage::WorkflowRecord current_;
};

struct WorkflowPage {
  std::vector<storage::WorkflowRecord> items;
  int64_t total = 0;
};

// "personal" | "free" | "fixed" (the contract's ValueKind) and back.
std::optional<ai::ValueKind> ParseValueKind(std::string_view name);
const char* ToString(ai::ValueKind kind);

// A step's action_data with value_from (the number of the earlier step whose value its target
// shows) set to `number`, or removed when nullopt.
std::optional<std::string> WithValueFrom(const std::optional<std::string>& action_data_json,
                                         std::optional<int64_t> number);
// value_from of a step's action_data, when it has one.
std::optional<int64_t> ValueFromOf(const std::optional<std::string>& action_data_json);

// "https://App.Example.com:443/x?y" → "https://app.example.com"; nullopt when not http(s).
std::optional<std::string> UrlOrigin(std::string_view url);

class WorkflowService {
 public:
  // `versions` (optional) is bumped for a company after each of its writes (api/response_cache).
  // With `labeling`, a new workflow is `processing` and its steps are queued for labeling in the
  // same transaction; without, it stays `draft`.
  WorkflowService(storage::Database& db, storage::BlobStore& blobs, core::VersionCounters* versions = nullptr,
                  LabelingService* labeling = nullptr)
      : db_(db), blobs_(blobs), versions_(versions), labeling_(labeling) {}

  // `variants` are stored with the new workflow's steps. `also` runs in the creating transaction
  // after the workflow is stored (the idempotency key's answer); what it throws undoes the create.
  using AlsoInTransaction = std::function<void(soci::session&, const storage::WorkflowRecord&)>;
  storage::WorkflowRecord Create(const Caller& caller, const WorkflowInput& input,
                                 const std::vector<StepVariantSeed>& variants = {},
                                 const AlsoInTransaction& also = {});
  WorkflowPage List(const Caller& caller, storage::WorkflowFilter filter);
  WorkflowDetail Get(const Caller& caller, int64_t id);
  storage::WorkflowRecord Update(const Caller& caller, int64_t id, const WorkflowPatch& patch,
                                 const ExpectedVersions& expected);
  void Delete(const Caller& caller, int64_t id);

  struct StepEdit {
    std::optional<std::string> field_label;
    std::optional<std::string> instruction;
    // A step that types or chooses a value: whose value it takes. The label and instruction
    // are written again for it (the local labeler) unless edited or set in this edit.
    std::optional<ai::ValueKind> value_kind;
  };
  struct StepUpdate {
    storage::StepRecord step;
    storage::WorkflowRecord workflow;
    std::optional<storage::ScreenshotRecord> screenshot;
    std::vector<storage::VariantRecord> variants;
  };
  StepUpdate UpdateStep(const Caller& caller, int64_t workflow_id, int64_t step_id, const StepEdit& edit,
                        const ExpectedVersions& expected);
  storage::WorkflowRecord DeleteStep(const Caller& caller, int64_t workflow_id, int64_t step_id,
                                     const ExpectedVersions& expected);
  WorkflowDetail ReorderSteps(const Caller& caller, int64_t workflow_id, const std::vector<int64_t>& step_ids,
                              const ExpectedVersions& expected);

 private:
  storage::WorkflowRecord Locked(storage::WorkflowRepository& repo, const Caller& caller, int64_t id,
                                 const ExpectedVersions& expected);
  void RemoveBlobs(const std::vector<storage::ScreenshotRecord>& gone);
  // Later steps whose target showed `source`'s value (value_from) lose the reference, and their
  // words not edited are written again.
  void ForgetValueRefs(storage::StepRepository& steps, const storage::StepRecord& source, int64_t now);
  // The step's value kind stored in its action_data, and its words rewritten for it.
  void SetValueKind(storage::StepRepository& steps, storage::StepRecord& step, ai::ValueKind kind,
                    const StepEdit& edit, int64_t now);

  storage::Database& db_;
  storage::BlobStore& blobs_;
  core::VersionCounters* versions_;
  LabelingService* labeling_;
};

}  // namespace stepwise::services
