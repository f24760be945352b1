#pragma once
// What labeling reads and writes: a step's recorded facts, its labels, the workflow's progress,
// and the per-company label cache.
#include <optional>
#include <string>
#include <vector>

#include "storage/db/database.hpp"

namespace stepwise::storage {

struct StepToLabel {
  int64_t id = 0;
  int64_t workflow_id = 0;
  int64_t company_id = 0;
  std::string action_type;
  std::string element_meta_json;
  std::string page_context_json;
  std::optional<std::string> action_data_json;
  std::optional<std::string> screenshot_key;
  std::optional<std::string> label_status;
  std::string workflow_status;
};

struct LabelProgress {
  int64_t done = 0;
  int64_t total = 0;
  int64_t failed = 0;
};

struct CachedLabel {
  std::string field_label;
  std::string instruction;
  double confidence = 0;
  std::string ai_model;
};

struct StuckWorkflow {
  int64_t id = 0;
  int64_t company_id = 0;
};

class LabelingRepository {
 public:
  LabelingRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}

  std::optional<StepToLabel> Load(int64_t step_id);
  // The pending steps of a workflow, in order, in one query.
  std::vector<StepToLabel> LoadPending(int64_t workflow_id);
  struct LabelWrite {
    int64_t step_id = 0;
    std::string label;
    std::string instruction;
    double confidence = 0;
    std::string model;
  };
  // Writes the labels of steps that are still pending, keeping fields an admin edited (one
  // statement, executed per step). The number written; a step not pending (labeled already, or
  // gone) is not.
  int WriteMany(const std::vector<LabelWrite>& labels, const std::string& status, int64_t now);
  LabelProgress Progress(int64_t workflow_id);
  // processing → needs_review when no step is pending; true when this call made the move.
  bool FinishIfDone(int64_t workflow_id, int64_t now);
  // Marks steps pending (all when `ids` is empty); returns the ids marked.
  std::vector<int64_t> MarkPending(int64_t workflow_id, const std::vector<int64_t>& ids);
  std::vector<int64_t> PendingSteps(int64_t workflow_id);
  void StartLabeling(int64_t company_id, int64_t workflow_id, int64_t now);
  std::vector<StuckWorkflow> Stuck(int64_t started_before, int limit);

  std::optional<CachedLabel> CacheGet(int64_t company_id, const std::string& signature);
  void CachePut(int64_t company_id, const std::string& signature, const CachedLabel& label, int64_t now);
  int64_t CacheHits(int64_t company_id);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

}  // namespace stepwise::storage
