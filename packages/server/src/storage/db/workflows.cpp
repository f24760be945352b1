#include "storage/db/workflows.hpp"

#include "core/errors.hpp"
#include "storage/db/repositories.hpp"
#include "storage/db/soci_optional.hpp"

namespace stepwise::storage {

namespace {

// ---------------------------------------------------------------- workflow rows

constexpr const char* kWorkflowColumns =
    "id, company_id, created_by, name, description, starting_url, starting_origin, tags, status, "
    "success_rate, total_uses, consecutive_failures, created_at, updated_at, last_successful_run, "
    "last_failed_run, version, step_count, check_status";

struct WorkflowRow {
  WorkflowRecord rec;
  std::string created_at, updated_at;
  std::optional<std::string> last_ok, last_failed;
};

void BindWorkflow(soci::statement& st, WorkflowRow& r) {
  st.exchange(soci::into(r.rec.id));
  st.exchange(soci::into(r.rec.company_id));
  st.exchange(soci::into(r.rec.created_by));
  st.exchange(soci::into(r.rec.name));
  st.exchange(soci::into(r.rec.description));
  st.exchange(soci::into(r.rec.starting_url));
  st.exchange(soci::into(r.rec.starting_origin));
  st.exchange(soci::into(r.rec.tags_json));
  st.exchange(soci::into(r.rec.status));
  st.exchange(soci::into(r.rec.success_rate));
  st.exchange(soci::into(r.rec.total_uses));
  st.exchange(soci::into(r.rec.consecutive_failures));
  st.exchange(soci::into(r.created_at));
  st.exchange(soci::into(r.updated_at));
  st.exchange(soci::into(r.last_ok));
  st.exchange(soci::into(r.last_failed));
  st.exchange(soci::into(r.rec.version));
  st.exchange(soci::into(r.rec.step_count));
  st.exchange(soci::into(r.rec.check_status));
}

// Find's extra column: how many of the workflow's screenshots have their thumbnail yet (part of
// the ETag, since the detail shows thumbnail URLs).
constexpr const char* kThumbnailCount =
    ", (SELECT COUNT(*) FROM steps t JOIN screenshots s ON s.id = t.screenshot_id WHERE t.workflow_id = "
    "workflows.id AND s.thumbnail_key IS NOT NULL), heal_version";

WorkflowRecord Finish(WorkflowRow& r) {
  r.rec.created_at = ReadDbTime(r.created_at);
  r.rec.updated_at = ReadDbTime(r.updated_at);
  r.rec.last_successful_run = ReadOptionalDbTime(r.last_ok);
  r.rec.last_failed_run = ReadOptionalDbTime(r.last_failed);
  return r.rec;
}

// The WHERE clause of a list query and the values it binds (kept alive for the statement).
struct ListQuery {
  std::string where;
  int64_t company_id;
  std::string status, tag, origin, search;
  int64_t created_by = 0;
  int limit = 0, offset = 0;

  ListQuery(int64_t company, const WorkflowFilter& f, Dialect dialect) : company_id(company) {
    where = " WHERE company_id = :company";
    if (f.status) {
      status = *f.status;
      where += " AND status = :status";
    } else if (f.exclude_archived) {
      where += " AND status <> 'archived'";
    }
    if (f.tag) {
      tag = *f.tag;
      where += dialect == Dialect::kPostgres
                   ? " AND jsonb_exists(tags, :tag)"
                   : " AND EXISTS (SELECT 1 FROM json_each(tags) WHERE json_each.value = :tag)";
    }
    if (f.created_by) {
      created_by = *f.created_by;
      where += " AND created_by = :created_by";
    }
    if (f.origin) {
      origin = *f.origin;
      where += " AND starting_origin = :origin";
    }
    if (f.search) {
      search = "%";  // the service case-folds the text; LIKE's wildcards are escaped
      for (char c : *f.search) {
        if (c == '%' || c == '_' || c == '\\') search += '\\';
        search += c;
      }
      search += "%";
      where += " AND search_text LIKE :search ESCAPE '\\'";
    }
    limit = f.limit;
    offset = f.offset;
  }

  void Bind(soci::statement& st, const WorkflowFilter& f) {
    st.exchange(soci::use(company_id, "company"));
    if (f.status) st.exchange(soci::use(status, "status"));
    if (f.tag) st.exchange(soci::use(tag, "tag"));
    if (f.created_by) st.exchange(soci::use(created_by, "created_by"));
    if (f.origin) st.exchange(soci::use(origin, "origin"));
    if (f.search) st.exchange(soci::use(search, "search"));
  }
};

std::string OrderBy(const WorkflowFilter& f) {
  static const char* kAllowed[] = {"updated_at", "created_at", "name", "success_rate", "total_uses"};
  std::string column = "updated_at";
  for (const char* c : kAllowed) {
    if (f.sort_column == c) column = c;
  }
  const char* dir = f.descending ? " DESC" : " ASC";
  return " ORDER BY " + column + dir + ", id" + dir;
}

// ---------------------------------------------------------------- step rows

constexpr const char* kStepColumns =
    "id, workflow_id, step_number, timestamp, action_type, selectors, element_meta, page_context, "
    "action_data, "
    "dom_context, expected_outcome, screenshot_id, field_label, instruction, ai_confidence, ai_model, "
    "ai_generated_at, label_edited, instruction_edited, edited_by, edited_at, healed_selectors, healed_at, "
    "healing_confidence, healing_method, created_at";
// The recorded page state, read out of page_context (the recorded selector variant's).
std::string StepColumns(Dialect dialect) {
  return std::string(kStepColumns) + (dialect == Dialect::kPostgres ? ", page_context->>'page_state_hash'"
                                                                    : ", json_extract(page_context, "
                                                                      "'$.page_state_hash')");
}

struct StepRow {
  StepRecord rec;
  std::optional<std::string> ai_generated_at, edited_at, healed_at;
  int label_edited = 0, instruction_edited = 0;
  std::string created_at;
};

void BindStep(soci::statement& st, StepRow& r) {
  st.exchange(soci::into(r.rec.id));
  st.exchange(soci::into(r.rec.workflow_id));
  st.exchange(soci::into(r.rec.step_number));
  st.exchange(soci::into(r.rec.timestamp));
  st.exchange(soci::into(r.rec.action_type));
  st.exchange(soci::into(r.rec.selectors_json));
  st.exchange(soci::into(r.rec.element_meta_json));
  st.exchange(soci::into(r.rec.page_context_json));
  st.exchange(soci::into(r.rec.action_data_json));
  st.exchange(soci::into(r.rec.dom_context_json));
  st.exchange(soci::into(r.rec.expected_outcome_json));
  st.exchange(soci::into(r.rec.screenshot_id));
  st.exchange(soci::into(r.rec.field_label));
  st.exchange(soci::into(r.rec.instruction));
  st.exchange(soci::into(r.rec.ai_confidence));
  st.exchange(soci::into(r.rec.ai_model));
  st.exchange(soci::into(r.ai_generated_at));
  st.exchange(soci::into(r.label_edited));
  st.exchange(soci::into(r.instruction_edited));
  st.exchange(soci::into(r.rec.edited_by));
  st.exchange(soci::into(r.edited_at));
  st.exchange(soci::into(r.rec.healed_selectors_json));
  st.exchange(soci::into(r.healed_at));
  st.exchange(soci::into(r.rec.healing_confidence));
  st.exchange(soci::into(r.rec.healing_method));
  st.exchange(soci::into(r.created_at));
  st.exchange(soci::into(r.rec.page_state_hash));
}

StepRecord Finish(StepRow& r) {
  r.rec.ai_generated_at = ReadOptionalDbTime(r.ai_generated_at);
  r.rec.edited_at = ReadOptionalDbTime(r.edited_at);
  r.rec.healed_at = ReadOptionalDbTime(r.healed_at);
  r.rec.label_edited = r.label_edited != 0;
  r.rec.instruction_edited = r.instruction_edited != 0;
  r.rec.created_at = ReadDbTime(r.created_at);
  return r.rec;
}

// ---------------------------------------------------------------- screenshot rows

constexpr const char* kScreenshotColumns =
    "id, company_id, workflow_id, hash, storage_key, storage_url, file_size, width, height, format, "
    "thumbnail_key, "
    "client_step_id, created_at, attached_at";

struct ScreenshotRow {
  ScreenshotRecord rec;
  std::optional<int64_t> file_size, width, height;
  std::string created_at;
  std::optional<std::string> attached_at;
};

void BindScreenshot(soci::statement& st, ScreenshotRow& r) {
  st.exchange(soci::into(r.rec.id));
  st.exchange(soci::into(r.rec.company_id));
  st.exchange(soci::into(r.rec.workflow_id));
  st.exchange(soci::into(r.rec.hash));
  st.exchange(soci::into(r.rec.storage_key));
  st.exchange(soci::into(r.rec.storage_url));
  st.exchange(soci::into(r.file_size));
  st.exchange(soci::into(r.width));
  st.exchange(soci::into(r.height));
  st.exchange(soci::into(r.rec.format));
  st.exchange(soci::into(r.rec.thumbnail_key));
  st.exchange(soci::into(r.rec.client_step_id));
  st.exchange(soci::into(r.created_at));
  st.exchange(soci::into(r.attached_at));
}

ScreenshotRecord Finish(ScreenshotRow& r) {
  r.rec.file_size = r.file_size.value_or(0);
  r.rec.width = r.width.value_or(0);
  r.rec.height = r.height.value_or(0);
  r.rec.created_at = ReadDbTime(r.created_at);
  r.rec.attached_at = ReadOptionalDbTime(r.attached_at);
  return r.rec;
}

std::string IdList(const std::vector<int64_t>& ids) {
  // Ids are integers from the database or validated input: safe to inline, and one statement
  // beats one round trip per id.
  std::string out;
  for (int64_t id : ids) out += (out.empty() ? "" : ",") + std::to_string(id);
  return out;
}

}  // namespace

// ---------------------------------------------------------------- workflows

int64_t WorkflowRepository::Insert(const WorkflowRecord& w) {
  int64_t id = 0;
  const std::string created = DbTime(w.created_at), updated = DbTime(w.updated_at);
  sql_ << "INSERT INTO workflows (company_id, created_by, name, description, starting_url, starting_origin, "
          "tags, "
          "status, created_at, updated_at, version, step_count, search_text) VALUES (:c, :by, :n, :d, :u, "
          ":o, :t, :s, "
          ":ca, :ua, 1, :sc, :st) RETURNING id",
      soci::use(w.company_id), soci::use(w.created_by), soci::use(w.name), soci::use(w.description),
      soci::use(w.starting_url), soci::use(w.starting_origin), soci::use(w.tags_json), soci::use(w.status),
      soci::use(created), soci::use(updated), soci::use(w.step_count), soci::use(w.search_text),
      soci::into(id);
  return id;
}

std::optional<WorkflowRecord> WorkflowRepository::Find(int64_t company_id, int64_t id) {
  WorkflowRow row;
  soci::statement st(sql_);
  BindWorkflow(st, row);
  st.exchange(soci::into(row.rec.thumbnails));
  st.exchange(soci::into(row.rec.heal_version));
  st.exchange(soci::use(id));
  st.exchange(soci::use(company_id));
  if (!FetchOne(sql_, st,
                std::string("SELECT ") + kWorkflowColumns + kThumbnailCount +
                    " FROM workflows WHERE id = :id AND company_id = :c"))
    return std::nullopt;
  return Finish(row);
}

std::optional<WorkflowRecord> WorkflowRepository::FindForUpdate(int64_t company_id, int64_t id) {
  if (dialect_ == Dialect::kSqlite) return Find(company_id, id);
  WorkflowRow row;
  soci::statement st(sql_);
  BindWorkflow(st, row);
  st.exchange(soci::into(row.rec.thumbnails));
  st.exchange(soci::into(row.rec.heal_version));
  st.exchange(soci::use(id));
  st.exchange(soci::use(company_id));
  if (!FetchOne(sql_, st,
                std::string("SELECT ") + kWorkflowColumns + kThumbnailCount +
                    " FROM workflows WHERE id = :id AND company_id = :c FOR UPDATE"))
    return std::nullopt;
  return Finish(row);
}

std::vector<WorkflowRecord> WorkflowRepository::List(int64_t company_id, const WorkflowFilter& filter) {
  ListQuery q(company_id, filter, dialect_);
  std::vector<WorkflowRecord> out;
  WorkflowRow row;
  soci::statement st(sql_);
  BindWorkflow(st, row);
  q.Bind(st, filter);
  st.exchange(soci::use(q.limit, "limit"));
  st.exchange(soci::use(q.offset, "offset"));
  PrepareBound(st, std::string("SELECT ") + kWorkflowColumns + " FROM workflows" + q.where + OrderBy(filter) +
                       " LIMIT :limit OFFSET :offset");
  st.execute();
  while (st.fetch()) out.push_back(Finish(row));
  return out;
}

int64_t WorkflowRepository::Count(int64_t company_id, const WorkflowFilter& filter) {
  ListQuery q(company_id, filter, dialect_);
  int64_t n = 0;
  soci::statement st(sql_);
  st.exchange(soci::into(n));
  q.Bind(st, filter);
  PrepareBound(st, "SELECT COUNT(*) FROM workflows" + q.where);
  st.execute(true);
  return n;
}

void WorkflowRepository::Update(const WorkflowRecord& w, int64_t now) {
  const std::string updated = DbTime(now);
  sql_ << "UPDATE workflows SET name = :n, description = :d, starting_url = :u, starting_origin = :o, tags = "
          ":t, "
          "status = :s, updated_at = :ua, search_text = :st, version = version + 1 WHERE id = :id AND "
          "company_id = :c",
      soci::use(w.name), soci::use(w.description), soci::use(w.starting_url), soci::use(w.starting_origin),
      soci::use(w.tags_json), soci::use(w.status), soci::use(updated), soci::use(w.search_text),
      soci::use(w.id), soci::use(w.company_id);
}

void WorkflowRepository::Touch(int64_t company_id, int64_t id, int64_t step_count, int64_t now) {
  const std::string updated = DbTime(now);
  sql_ << "UPDATE workflows SET updated_at = :ua, version = version + 1, step_count = :sc WHERE id = :id AND "
          "company_id = :c",
      soci::use(updated), soci::use(step_count), soci::use(id), soci::use(company_id);
}

void WorkflowRepository::Delete(int64_t company_id, int64_t id) {
  sql_ << "DELETE FROM workflows WHERE id = :id AND company_id = :c", soci::use(id), soci::use(company_id);
}

// ---------------------------------------------------------------- steps

void StepRepository::InsertAll(int64_t workflow_id, const std::vector<StepRecord>& steps) {
  if (steps.empty()) return;
  StepRecord s;
  std::string created;
  soci::statement st =
      (sql_.prepare
           << "INSERT INTO steps (workflow_id, step_number, timestamp, action_type, selectors, element_meta, "
              "page_context, action_data, dom_context, expected_outcome, screenshot_id, created_at) VALUES "
              "(:w, :n, :ts, :a, :sel, :em, :pc, :ad, :dc, :eo, :shot, :ca)",
       soci::use(workflow_id), soci::use(s.step_number), soci::use(s.timestamp), soci::use(s.action_type),
       soci::use(s.selectors_json), soci::use(s.element_meta_json), soci::use(s.page_context_json),
       soci::use(s.action_data_json), soci::use(s.dom_context_json), soci::use(s.expected_outcome_json),
       soci::use(s.screenshot_id), soci::use(created));
  for (const auto& step : steps) {
    s = step;
    created = DbTime(step.created_at);
    st.execute(true);
  }
}

std::vector<StepRecord> StepRepository::ForWorkflow(int64_t workflow_id) {
  std::vector<StepRecord> out;
  StepRow row;
  soci::statement st(sql_);
  BindStep(st, row);
  st.exchange(soci::use(workflow_id));
  PrepareBound(st,
               "SELECT " + StepColumns(dialect_) + " FROM steps WHERE workflow_id = :w ORDER BY step_number");
  st.execute();
  while (st.fetch()) out.push_back(Finish(row));
  return out;
}

std::optional<StepRecord> StepRepository::Find(int64_t workflow_id, int64_t step_id) {
  StepRow row;
  soci::statement st(sql_);
  BindStep(st, row);
  st.exchange(soci::use(step_id));
  st.exchange(soci::use(workflow_id));
  if (!FetchOne(sql_, st,
                "SELECT " + StepColumns(dialect_) + " FROM steps WHERE id = :id AND workflow_id = :w"))
    return std::nullopt;
  return Finish(row);
}

void StepRepository::UpdateLabels(const StepRecord& s) {
  const int label_edited = s.label_edited ? 1 : 0, instruction_edited = s.instruction_edited ? 1 : 0;
  const auto edited_at = OptionalDbTime(s.edited_at);
  const auto generated_at = OptionalDbTime(s.ai_generated_at);
  sql_
      << "UPDATE steps SET field_label = :l, instruction = :i, label_edited = :le, instruction_edited = :ie, "
         "edited_by = :eb, edited_at = :ea, ai_confidence = :ac, ai_model = :am, ai_generated_at = :ag "
         "WHERE id = :id AND workflow_id = :w",
      soci::use(s.field_label), soci::use(s.instruction), soci::use(label_edited),
      soci::use(instruction_edited), soci::use(s.edited_by), soci::use(edited_at), soci::use(s.ai_confidence),
      soci::use(s.ai_model), soci::use(generated_at), soci::use(s.id), soci::use(s.workflow_id);
}

void StepRepository::SetActionData(int64_t workflow_id, int64_t step_id,
                                   const std::optional<std::string>& action_data_json) {
  sql_ << "UPDATE steps SET action_data = :d WHERE id = :id AND workflow_id = :w",
      soci::use(action_data_json), soci::use(step_id), soci::use(workflow_id);
}

void StepRepository::Delete(int64_t workflow_id, int64_t step_id) {
  sql_ << "DELETE FROM steps WHERE id = :id AND workflow_id = :w", soci::use(step_id), soci::use(workflow_id);
}

void StepRepository::Renumber(int64_t workflow_id, const std::vector<int64_t>& ids) {
  // Out of the way first (negative numbers), so UNIQUE(workflow_id, step_number) holds throughout.
  sql_ << "UPDATE steps SET step_number = -step_number WHERE workflow_id = :w", soci::use(workflow_id);
  int64_t number = 0;
  int64_t id = 0;
  soci::statement st =
      (sql_.prepare << "UPDATE steps SET step_number = :n WHERE id = :id AND workflow_id = :w",
       soci::use(number), soci::use(id), soci::use(workflow_id));
  for (size_t i = 0; i < ids.size(); ++i) {
    number = static_cast<int64_t>(i) + 1;
    id = ids[i];
    st.execute(true);
  }
}

std::vector<int64_t> StepRepository::ScreenshotIds(int64_t workflow_id) {
  std::vector<int64_t> out;
  soci::rowset<int64_t> rs =
      (sql_.prepare << "SELECT DISTINCT screenshot_id FROM steps WHERE workflow_id = :w AND "
                       "screenshot_id IS NOT NULL",
       soci::use(workflow_id));
  for (int64_t id : rs) out.push_back(id);
  return out;
}

std::vector<int64_t> StepRepository::Ids(int64_t workflow_id) {
  std::vector<int64_t> out;
  soci::rowset<int64_t> rs =
      (sql_.prepare << "SELECT id FROM steps WHERE workflow_id = :w", soci::use(workflow_id));
  for (int64_t id : rs) out.push_back(id);
  return out;
}

// ---------------------------------------------------------------- screenshots

std::optional<int64_t> ScreenshotRepository::Insert(const ScreenshotRecord& s) {
  int64_t id = 0;
  const std::string created = DbTime(s.created_at);
  try {
    sql_ << "INSERT INTO screenshots (company_id, workflow_id, hash, storage_key, storage_url, file_size, "
            "width, "
            "height, format, client_step_id, created_at) VALUES (:c, :w, :h, :k, :u, :fs, :wd, :ht, :f, :cs, "
            ":ca) "
            "RETURNING id",
        soci::use(s.company_id), soci::use(s.workflow_id), soci::use(s.hash), soci::use(s.storage_key),
        soci::use(s.storage_url), soci::use(s.file_size), soci::use(s.width), soci::use(s.height),
        soci::use(s.format), soci::use(s.client_step_id), soci::use(created), soci::into(id);
  } catch (const soci::soci_error& e) {
    if (IsUniqueViolation(e)) return std::nullopt;
    throw;
  }
  return id;
}

std::optional<ScreenshotRecord> ScreenshotRepository::Find(int64_t company_id, int64_t id) {
  ScreenshotRow row;
  soci::statement st(sql_);
  BindScreenshot(st, row);
  st.exchange(soci::use(id));
  st.exchange(soci::use(company_id));
  if (!FetchOne(sql_, st,
                std::string("SELECT ") + kScreenshotColumns +
                    " FROM screenshots WHERE id = :id AND company_id = :c"))
    return std::nullopt;
  return Finish(row);
}

std::optional<ScreenshotRecord> ScreenshotRepository::FindByHash(int64_t company_id,
                                                                 const std::string& hash) {
  ScreenshotRow row;
  soci::statement st(sql_);
  BindScreenshot(st, row);
  st.exchange(soci::use(company_id));
  st.exchange(soci::use(hash));
  if (!FetchOne(sql_, st,
                std::string("SELECT ") + kScreenshotColumns +
                    " FROM screenshots WHERE company_id = :c AND hash = :h"))
    return std::nullopt;
  return Finish(row);
}

std::vector<ScreenshotRecord> ScreenshotRepository::FindMany(int64_t company_id,
                                                             const std::vector<int64_t>& ids) {
  std::vector<ScreenshotRecord> out;
  if (ids.empty()) return out;
  ScreenshotRow row;
  soci::statement st(sql_);
  BindScreenshot(st, row);
  st.exchange(soci::use(company_id));
  PrepareBound(st, std::string("SELECT ") + kScreenshotColumns +
                       " FROM screenshots WHERE company_id = :c AND id IN (" + IdList(ids) + ")");
  st.execute();
  while (st.fetch()) out.push_back(Finish(row));
  return out;
}

void ScreenshotRepository::SetThumbnail(int64_t id, const std::string& key) {
  sql_ << "UPDATE screenshots SET thumbnail_key = :k WHERE id = :id", soci::use(key), soci::use(id);
}

void ScreenshotRepository::Attach(int64_t company_id, const std::vector<int64_t>& ids, int64_t workflow_id,
                                  int64_t now) {
  if (ids.empty()) return;
  const std::string ts = DbTime(now);
  sql_ << "UPDATE screenshots SET workflow_id = COALESCE(workflow_id, :w), attached_at = "
          "COALESCE(attached_at, :t) "
          "WHERE company_id = :c AND id IN (" +
              IdList(ids) + ")",
      soci::use(workflow_id), soci::use(ts), soci::use(company_id);
}

std::vector<ScreenshotRecord> ScreenshotRepository::DeleteUnreferenced(int64_t company_id,
                                                                       const std::vector<int64_t>& ids) {
  if (ids.empty()) return {};
  std::vector<int64_t> unused;
  {
    soci::rowset<int64_t> rs =
        (sql_.prepare << "SELECT s.id FROM screenshots s WHERE s.company_id = :c AND s.id IN (" +
                             IdList(ids) +
                             ") AND NOT EXISTS (SELECT 1 FROM steps t WHERE t.screenshot_id = s.id)",
         soci::use(company_id));
    for (int64_t id : rs) unused.push_back(id);
  }
  auto gone = FindMany(company_id, unused);
  if (!unused.empty()) {
    sql_ << "DELETE FROM screenshots WHERE company_id = :c AND id IN (" + IdList(unused) + ")",
        soci::use(company_id);
  }
  return gone;
}

std::vector<ScreenshotRecord> ScreenshotRepository::DeleteOrphans(int64_t before, int limit) {
  // DELETE … RETURNING hands back exactly the rows this call removed: a screenshot attached by a
  // concurrent upload, or removed by a concurrent cleanup, is not reported (and its blob stays).
  std::vector<ScreenshotRecord> out;
  const std::string ts = DbTime(before);
  ScreenshotRow row;
  soci::statement st(sql_);
  BindScreenshot(st, row);
  st.exchange(soci::use(ts));
  st.exchange(soci::use(limit));
  PrepareBound(
      st, std::string(
              "DELETE FROM screenshots WHERE attached_at IS NULL AND id IN (SELECT s.id FROM screenshots s "
              "WHERE s.attached_at IS NULL AND s.created_at < :t AND NOT EXISTS (SELECT 1 FROM steps t "
              "WHERE t.screenshot_id = s.id) ORDER BY s.id LIMIT :l) RETURNING ") +
              kScreenshotColumns);
  st.execute();
  while (st.fetch()) out.push_back(Finish(row));
  return out;
}

std::pair<int64_t, int64_t> ScreenshotRepository::CountAndBytes(int64_t company_id) {
  int64_t count = 0;
  int64_t bytes = 0;
  sql_ << "SELECT COUNT(*), COALESCE(SUM(file_size), 0) FROM screenshots WHERE company_id = :c",
      soci::use(company_id), soci::into(count), soci::into(bytes);
  return {count, bytes};
}

std::vector<std::string> ScreenshotRepository::BlobKeys(int64_t company_id) {
  std::vector<std::string> out;
  soci::rowset<soci::row> rs =
      (sql_.prepare << "SELECT storage_key, thumbnail_key FROM screenshots WHERE company_id = :c",
       soci::use(company_id));
  for (const auto& row : rs) {
    out.push_back(row.get<std::string>(0));
    if (row.get_indicator(1) == soci::i_ok) out.push_back(row.get<std::string>(1));
  }
  return out;
}

}  // namespace stepwise::storage
