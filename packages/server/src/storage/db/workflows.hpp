#pragma once
// Workflows, their steps and screenshots. Every query is scoped by company_id.
#include <optional>
#include <string>
#include <vector>

#include "storage/db/database.hpp"
#include "storage/db/records.hpp"

namespace stepwise::storage {

struct WorkflowFilter {
  std::optional<std::string> status;
  bool exclude_archived = true;  // ignored when status is set
  std::optional<std::string> tag;
  std::optional<int64_t> created_by;
  std::optional<std::string> origin;
  std::optional<std::string> search;       // case-insensitive, in name and description
  std::string sort_column = "updated_at";  // updated_at, created_at, name, success_rate, total_uses
  bool descending = true;
  int limit = 50;
  int offset = 0;
};

class WorkflowRepository {
 public:
  WorkflowRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}

  int64_t Insert(const WorkflowRecord& w);
  std::optional<WorkflowRecord> Find(int64_t company_id, int64_t id);
  // Locks the row until the transaction ends (PostgreSQL; SQLite transactions are exclusive).
  std::optional<WorkflowRecord> FindForUpdate(int64_t company_id, int64_t id);
  std::vector<WorkflowRecord> List(int64_t company_id, const WorkflowFilter& filter);
  int64_t Count(int64_t company_id, const WorkflowFilter& filter);
  // Writes the editable fields and bumps version and updated_at.
  void Update(const WorkflowRecord& w, int64_t now);
  // Bumps version and updated_at after a change to the steps; sets step_count.
  void Touch(int64_t company_id, int64_t id, int64_t step_count, int64_t now);
  void Delete(int64_t company_id, int64_t id);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

class StepRepository {
 public:
  StepRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}

  // Inserts the steps of a new workflow with one prepared statement.
  void InsertAll(int64_t workflow_id, const std::vector<StepRecord>& steps);
  std::vector<StepRecord> ForWorkflow(int64_t workflow_id);
  std::optional<StepRecord> Find(int64_t workflow_id, int64_t step_id);
  void UpdateLabels(const StepRecord& step);
  void SetActionData(int64_t workflow_id, int64_t step_id,
                     const std::optional<std::string>& action_data_json);
  void Delete(int64_t workflow_id, int64_t step_id);
  // Gives the steps the numbers 1..n in the order of `ids` (every step of the workflow).
  void Renumber(int64_t workflow_id, const std::vector<int64_t>& ids);
  std::vector<int64_t> ScreenshotIds(int64_t workflow_id);
  std::vector<int64_t> Ids(int64_t workflow_id);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

class ScreenshotRepository {
 public:
  ScreenshotRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}

  // Inserts a new screenshot; nullopt when (company, hash) exists already (a concurrent upload).
  std::optional<int64_t> Insert(const ScreenshotRecord& s);
  std::optional<ScreenshotRecord> Find(int64_t company_id, int64_t id);
  std::optional<ScreenshotRecord> FindByHash(int64_t company_id, const std::string& hash);
  std::vector<ScreenshotRecord> FindMany(int64_t company_id, const std::vector<int64_t>& ids);
  void SetThumbnail(int64_t id, const std::string& key);
  // Marks screenshots as used by a workflow (the first workflow keeps workflow_id).
  void Attach(int64_t company_id, const std::vector<int64_t>& ids, int64_t workflow_id, int64_t now);
  // Of `ids`, those no step refers to any more: deleted, and returned so their blobs can go.
  std::vector<ScreenshotRecord> DeleteUnreferenced(int64_t company_id, const std::vector<int64_t>& ids);
  // Screenshots never attached and older than `before`: deleted and returned (at most `limit`).
  std::vector<ScreenshotRecord> DeleteOrphans(int64_t before, int limit);
  std::pair<int64_t, int64_t> CountAndBytes(int64_t company_id);
  // Every blob key the company's screenshots use (images and thumbnails).
  std::vector<std::string> BlobKeys(int64_t company_id);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

}  // namespace stepwise::storage
