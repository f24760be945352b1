#include "services/workflows.hpp"

#include <algorithm>
#include <set>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "services/workflow_status.hpp"

namespace stepwise::services {

using nlohmann::json;
using storage::ScreenshotRepository;
using storage::StepRepository;
using storage::WorkflowRepository;

using core::Trim;

namespace {

core::Error WorkflowNotFound() { return core::NotFound("WORKFLOW_NOT_FOUND", "Workflow not found"); }

std::string SearchText(const storage::WorkflowRecord& w) {
  return core::FoldCase(w.name + "\n" + w.description.value_or(""));
}

std::string OriginOf(const std::string& url, const std::string& pointer) {
  auto origin = UrlOrigin(url);
  if (!origin) throw core::ValidationError(pointer, "must be an http(s) URL with a host");
  return *origin;
}

}  // namespace

std::optional<ai::ValueKind> ParseValueKind(std::string_view name) {
  if (name == "personal") return ai::ValueKind::kPersonal;
  if (name == "free") return ai::ValueKind::kFree;
  if (name == "fixed") return ai::ValueKind::kFixed;
  return std::nullopt;
}

const char* ToString(ai::ValueKind kind) {
  switch (kind) {
    case ai::ValueKind::kPersonal:
      return "personal";
    case ai::ValueKind::kFree:
      return "free";
    case ai::ValueKind::kFixed:
      return "fixed";
  }
  return "fixed";
}

std::optional<int64_t> ValueFromOf(const std::optional<std::string>& action_data_json) {
  if (!action_data_json || action_data_json->find("value_from") == std::string::npos) return std::nullopt;
  const json data = json::parse(*action_data_json, nullptr, false);
  if (!data.is_object() || !data.contains("value_from") || !data["value_from"].is_number_integer())
    return std::nullopt;
  return data["value_from"].get<int64_t>();
}

std::optional<std::string> WithValueFrom(const std::optional<std::string>& action_data_json,
                                         std::optional<int64_t> number) {
  json data = action_data_json ? json::parse(*action_data_json, nullptr, false) : json::object();
  if (!data.is_object()) data = json::object();
  if (number) {
    data["value_from"] = *number;
  } else {
    data.erase("value_from");
  }
  return data.dump();
}

std::optional<std::string> UrlOrigin(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string scheme(url.substr(0, scheme_end));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos)
    rest = rest.substr(at + 1);  // credentials
  std::string authority(rest);
  std::transform(authority.begin(), authority.end(), authority.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  // host[:port], the host a name or an IPv4 address or a bracketed IPv6 address.
  std::string host = authority;
  std::string port;
  if (!authority.empty() && authority[0] == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      port = after.substr(1);
    }
    if (host.size() < 3 || host.find_first_not_of("0123456789abcdef:.", 1) != host.size() - 1)
      return std::nullopt;
  } else {
    if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-' ||
        host.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_") != std::string::npos) {
      return std::nullopt;
    }
  }
  if (!port.empty() || authority.back() == ':') {
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) > 65535) {
      return std::nullopt;
    }
  }
  const std::string default_port = scheme == "https" ? "443" : "80";
  return scheme + "://" + host + (port.empty() || port == default_port ? "" : ":" + port);
}

namespace {

// The variants that came with a new workflow's steps (an import): shared at once, at most
// VariantRepository::kMaxPerStep per step.
void StoreImportedVariants(soci::session& sql, storage::Dialect dialect, const Caller& caller,
                           int64_t workflow_id, const std::vector<StepVariantSeed>& variants,
                           const std::map<int64_t, int64_t>& numbers_as_stored, int64_t now) {
  std::map<int64_t, int64_t> ids;  // step number → id
  for (const auto& s : StepRepository(sql, dialect).ForWorkflow(workflow_id)) ids[s.step_number] = s.id;
  storage::VariantRepository repo(sql, dialect);
  std::map<int64_t, int> per_step;
  for (const auto& v : variants) {
    const auto number = numbers_as_stored.find(v.step_number);
    if (number == numbers_as_stored.end()) continue;
    const int64_t step_id = ids[number->second];
    if (++per_step[step_id] > storage::VariantRepository::kMaxPerStep) continue;
    storage::VariantRecord r;
    r.step_id = step_id;
    r.selector = v.selector;
    r.selectors_json = v.selectors_json;
    r.source = "imported";
    r.status = "shared";
    r.method = "imported";
    r.created_at = now;
    r.created_by = caller.user_id;
    repo.Insert(r);
  }
}

// After steps were renumbered or one deleted, each value_from points at the same step as before:
// `before` the steps as numbered then, `ids` the steps left in their new order.
void KeepValueRefs(StepRepository& repo, int64_t workflow_id, const std::vector<storage::StepRecord>& before,
                   const std::vector<int64_t>& ids) {
  std::map<int64_t, int64_t> id_of_number;  // old number → id
  for (const auto& s : before) id_of_number[s.step_number] = s.id;
  std::map<int64_t, int64_t> number_of_id;  // id → new number
  for (size_t i = 0; i < ids.size(); ++i) number_of_id[ids[i]] = static_cast<int64_t>(i) + 1;
  for (const auto& s : before) {
    const auto from = ValueFromOf(s.action_data_json);
    if (!from || !number_of_id.count(s.id)) continue;
    std::optional<int64_t> now;
    if (auto id = id_of_number.find(*from); id != id_of_number.end()) {
      if (auto n = number_of_id.find(id->second); n != number_of_id.end()) now = n->second;
    }
    if (now != from) repo.SetActionData(workflow_id, s.id, WithValueFrom(s.action_data_json, now));
  }
}

}  // namespace

storage::WorkflowRecord WorkflowService::Create(const Caller& caller, const WorkflowInput& input,
                                                const std::vector<StepVariantSeed>& variants,
                                                const AlsoInTransaction& also) {
  const core::BumpOnExit touch(versions_, caller.company_id);
  storage::WorkflowRecord w;
  w.company_id = caller.company_id;
  w.created_by = caller.user_id;
  w.name = Trim(input.name);
  if (w.name.empty()) throw core::ValidationError("/metadata/name", "must not be blank");
  w.description = input.description;
  w.starting_url = input.starting_url;
  w.starting_origin = OriginOf(w.starting_url, "/metadata/starting_url");
  w.tags_json = json(input.tags).dump();
  w.status = labeling_ != nullptr ? "processing" : "draft";
  const int64_t now = core::NowMillis();
  w.created_at = w.updated_at = now;

  // Steps in recorded order, numbered 1..n.
  const auto& raw_steps = input.steps;
  std::vector<size_t> order(raw_steps.size());
  std::set<int64_t> numbers;
  for (size_t i = 0; i < raw_steps.size(); ++i) {
    order[i] = i;
    if (!numbers.insert(raw_steps[i].step_number).second) {
      throw core::ValidationError("/steps/" + std::to_string(i) + "/step_number",
                                  "step numbers must be unique");
    }
  }
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return raw_steps[a].step_number < raw_steps[b].step_number; });
  std::vector<storage::StepRecord> steps;
  std::map<int64_t, int64_t> numbers_as_stored;                           // the input's step number → 1..n
  std::map<int64_t, std::pair<size_t, std::optional<std::string>>> refs;  // screenshot id → (index, hash)
  steps.reserve(raw_steps.size());
  for (size_t n = 0; n < order.size(); ++n) {
    const StepInput& s = raw_steps[order[n]];
    storage::StepRecord r;
    r.step_number = static_cast<int64_t>(n) + 1;
    numbers_as_stored[s.step_number] = r.step_number;
    r.timestamp = s.timestamp;
    r.action_type = s.action_type;
    r.selectors_json = s.selectors_json;
    r.element_meta_json = s.element_meta_json;
    r.page_context_json = s.page_context_json;
    r.action_data_json = s.action_data_json;
    r.dom_context_json = s.dom_context_json;
    r.expected_outcome_json = s.expected_outcome_json;
    if (s.screenshot_id) {
      r.screenshot_id = s.screenshot_id;
      refs.emplace(*s.screenshot_id, std::make_pair(order[n], s.screenshot_hash));
    }
    r.created_at = now;
    steps.push_back(std::move(r));
  }
  // value_from names a step by its number in the upload: renumbered with it; dropped when it
  // names no earlier step.
  for (auto& r : steps) {
    const auto from = ValueFromOf(r.action_data_json);
    if (!from) continue;
    const auto stored = numbers_as_stored.find(*from);
    const bool earlier = stored != numbers_as_stored.end() && stored->second < r.step_number;
    r.action_data_json =
        WithValueFrom(r.action_data_json, earlier ? std::optional(stored->second) : std::nullopt);
  }
  w.step_count = static_cast<int64_t>(steps.size());
  w.search_text = SearchText(w);

  auto created = db_.Transaction([&](soci::session& sql) {
    std::vector<int64_t> shot_ids;
    shot_ids.reserve(refs.size());
    for (const auto& [id, _] : refs) shot_ids.push_back(id);
    ScreenshotRepository shots(sql, db_.GetDialect());
    std::map<int64_t, storage::ScreenshotRecord> found;
    for (auto& s : shots.FindMany(caller.company_id, shot_ids)) found.emplace(s.id, std::move(s));
    json errors = json::array();
    for (const auto& [id, where] : refs) {
      const std::string pointer = "/steps/" + std::to_string(where.first) + "/screenshot_ref";
      auto it = found.find(id);
      if (it == found.end()) {
        errors.push_back({{"pointer", pointer + "/id"}, {"message", "no such screenshot in this company"}});
      } else if (where.second && *where.second != it->second.hash) {
        errors.push_back(
            {{"pointer", pointer + "/hash"}, {"message", "does not match the screenshot's hash"}});
      }
    }
    if (!errors.empty()) {
      throw core::ValidationErrors(errors);
    }
    WorkflowRepository workflows(sql, db_.GetDialect());
    w.id = workflows.Insert(w);
    StepRepository(sql, db_.GetDialect()).InsertAll(w.id, steps);
    if (!variants.empty())
      StoreImportedVariants(sql, db_.GetDialect(), caller, w.id, variants, numbers_as_stored, now);
    shots.Attach(caller.company_id, shot_ids, w.id, now);
    if (labeling_ != nullptr) labeling_->QueueIn(sql, caller.company_id, w.id);
    if (also) also(sql, w);
    return w;
  });
  if (labeling_ != nullptr) labeling_->AfterCommit();
  return created;
}

WorkflowPage WorkflowService::List(const Caller& caller, storage::WorkflowFilter filter) {
  if (caller.role != "admin") {
    // Regular users follow published workflows only.
    if (filter.status && *filter.status != "active") return {};
    filter.status = "active";
  }
  if (filter.search) filter.search = core::FoldCase(*filter.search);
  return db_.Read([&](soci::session& sql) {
    WorkflowRepository repo(sql, db_.GetDialect());
    WorkflowPage page;
    page.items = repo.List(caller.company_id, filter);
    page.total = page.items.size() < static_cast<size_t>(filter.limit) && filter.offset == 0
                     ? static_cast<int64_t>(page.items.size())
                     : repo.Count(caller.company_id, filter);
    return page;
  });
}

WorkflowDetail WorkflowService::Get(const Caller& caller, int64_t id) {
  return db_.Read([&](soci::session& sql) {
    auto w = WorkflowRepository(sql, db_.GetDialect()).Find(caller.company_id, id);
    if (!w || (caller.role != "admin" && w->status != "active")) throw WorkflowNotFound();
    WorkflowDetail d{*w, StepRepository(sql, db_.GetDialect()).ForWorkflow(id), {}, std::nullopt, {}};
    if (w->status == "processing")
      d.labeling = storage::LabelingRepository(sql, db_.GetDialect()).Progress(id);
    std::vector<int64_t> ids;
    for (const auto& s : d.steps) {
      if (s.screenshot_id) ids.push_back(*s.screenshot_id);
    }
    for (auto& s : ScreenshotRepository(sql, db_.GetDialect()).FindMany(caller.company_id, ids)) {
      d.screenshots.emplace(s.id, std::move(s));
    }
    d.variants = storage::VariantRepository(sql, db_.GetDialect()).ForWorkflow(id);
    return d;
  });
}

storage::WorkflowRecord WorkflowService::Locked(WorkflowRepository& repo, const Caller& caller, int64_t id,
                                                const ExpectedVersions& expected) {
  auto w = repo.FindForUpdate(caller.company_id, id);
  if (!w) throw WorkflowNotFound();
  if (expected && std::find(expected->begin(), expected->end(), w->version) == expected->end())
    throw StaleWorkflow(*w);
  return *w;
}

storage::WorkflowRecord WorkflowService::Update(const Caller& caller, int64_t id, const WorkflowPatch& patch,
                                                const ExpectedVersions& expected) {
  const core::BumpOnExit touch(versions_, caller.company_id);
  return db_.Transaction([&](soci::session& sql) {
    WorkflowRepository repo(sql, db_.GetDialect());
    auto w = Locked(repo, caller, id, expected);
    if (patch.name) {
      w.name = Trim(*patch.name);
      if (w.name.empty()) throw core::ValidationError("/name", "must not be blank");
    }
    if (patch.description) w.description = *patch.description;
    if (patch.starting_url) {
      w.starting_url = *patch.starting_url;
      w.starting_origin = OriginOf(w.starting_url, "/starting_url");
    }
    if (patch.tags) w.tags_json = json(*patch.tags).dump();
    if (patch.status) w.status = Transition(w.status, *patch.status);
    w.search_text = SearchText(w);
    repo.Update(w, core::NowMillis());
    return *repo.Find(caller.company_id, id);
  });
}

void WorkflowService::Delete(const Caller& caller, int64_t id) {
  const core::BumpOnExit touch(versions_, caller.company_id);
  auto gone = db_.Transaction([&](soci::session& sql) {
    WorkflowRepository repo(sql, db_.GetDialect());
    if (!repo.FindForUpdate(caller.company_id, id)) throw WorkflowNotFound();
    const auto shot_ids = StepRepository(sql, db_.GetDialect()).ScreenshotIds(id);
    repo.Delete(caller.company_id, id);  // steps and health logs go with it (ON DELETE CASCADE)
    return ScreenshotRepository(sql, db_.GetDialect()).DeleteUnreferenced(caller.company_id, shot_ids);
  });
  RemoveBlobs(gone);  // after the commit: a failed delete leaves a blob, never a dangling row
}

void WorkflowService::RemoveBlobs(const std::vector<storage::ScreenshotRecord>& gone) {
  for (const auto& s : gone) {
    try {
      blobs_.Delete(s.storage_key);
      if (s.thumbnail_key) blobs_.Delete(*s.thumbnail_key);
    } catch (const std::exception& e) {
      core::LogWarn("could not delete a blob", {{"key", s.storage_key}, {"error", e.what()}});
    }
  }
}

namespace {

// The step's words written again by the local labeler from its recorded facts: the label and the
// instruction where `label` / `instruction` say so (an admin's own words are never replaced).
void Relabel(storage::StepRecord& step, bool label, bool instruction, int64_t now) {
  const auto parse = [](const std::optional<std::string>& text) {
    json j = text ? json::parse(*text, nullptr, false) : json::object();
    return j.is_object() ? j : json::object();
  };
  const ai::Label written = ai::LocalLabel({step.action_type, parse(step.element_meta_json),
                                            parse(step.action_data_json), parse(step.page_context_json)});
  if (label) step.field_label = written.field_label;
  if (instruction) step.instruction = written.instruction;
  step.ai_model = written.model;
  step.ai_confidence = written.confidence;
  step.ai_generated_at = now;
}

}  // namespace

void WorkflowService::ForgetValueRefs(StepRepository& steps, const storage::StepRecord& source, int64_t now) {
  for (auto& later : steps.ForWorkflow(source.workflow_id)) {
    if (later.step_number <= source.step_number || ValueFromOf(later.action_data_json) != source.step_number)
      continue;
    later.action_data_json = WithValueFrom(later.action_data_json, std::nullopt);
    steps.SetActionData(later.workflow_id, later.id, later.action_data_json);
    if (later.label_edited && later.instruction_edited) continue;
    Relabel(later, !later.label_edited, !later.instruction_edited, now);
    steps.UpdateLabels(later);
  }
}

void WorkflowService::SetValueKind(StepRepository& steps, storage::StepRecord& step, ai::ValueKind kind,
                                   const StepEdit& edit, int64_t now) {
  if (step.action_type != "input_commit" && step.action_type != "select_change") {
    throw core::ValidationError("/value_kind",
                                "only a step that types or chooses a value (input_commit, "
                                "select_change) has a value kind");
  }
  json data = step.action_data_json ? json::parse(*step.action_data_json, nullptr, false) : json::object();
  if (!data.is_object()) data = json::object();
  data["value_kind"] = ToString(kind);
  step.action_data_json = data.dump();
  steps.SetActionData(step.workflow_id, step.id, step.action_data_json);
  // A value that is no longer free is the same for everyone: later steps that showed it are
  // named by it again.
  if (kind != ai::ValueKind::kFree) ForgetValueRefs(steps, step, now);
  // The words follow the kind ("Enter your …", "Type the … you want", the value quoted), except
  // where an admin wrote their own.
  const bool label = !step.label_edited && !edit.field_label;
  const bool instruction = !step.instruction_edited && !edit.instruction;
  if (label || instruction) Relabel(step, label, instruction, now);
}

WorkflowService::StepUpdate WorkflowService::UpdateStep(const Caller& caller, int64_t workflow_id,
                                                        int64_t step_id, const StepEdit& edit,
                                                        const ExpectedVersions& expected) {
  const core::BumpOnExit touch(versions_, caller.company_id);
  return db_.Transaction([&](soci::session& sql) {
    WorkflowRepository repo(sql, db_.GetDialect());
    auto w = Locked(repo, caller, workflow_id, expected);
    StepRepository steps(sql, db_.GetDialect());
    auto step = steps.Find(workflow_id, step_id);
    if (!step) throw core::NotFound("STEP_NOT_FOUND", "Step not found");
    const int64_t now = core::NowMillis();
    if (edit.value_kind) SetValueKind(steps, *step, *edit.value_kind, edit, now);
    if (edit.field_label) {
      step->field_label = Trim(*edit.field_label);
      step->label_edited = true;
    }
    if (edit.instruction) {
      step->instruction = Trim(*edit.instruction);
      step->instruction_edited = true;
    }
    step->edited_by = caller.user_id;
    step->edited_at = now;
    steps.UpdateLabels(*step);
    repo.Touch(caller.company_id, workflow_id, w.step_count, now);
    std::optional<storage::ScreenshotRecord> shot;
    if (step->screenshot_id) {
      shot = ScreenshotRepository(sql, db_.GetDialect()).Find(caller.company_id, *step->screenshot_id);
    }
    return StepUpdate{*step, *repo.Find(caller.company_id, workflow_id), shot,
                      storage::VariantRepository(sql, db_.GetDialect()).ForStep(step_id)};
  });
}

storage::WorkflowRecord WorkflowService::DeleteStep(const Caller& caller, int64_t workflow_id,
                                                    int64_t step_id, const ExpectedVersions& expected) {
  const core::BumpOnExit touch(versions_, caller.company_id);
  std::vector<storage::ScreenshotRecord> gone;
  auto w = db_.Transaction([&](soci::session& sql) {
    WorkflowRepository repo(sql, db_.GetDialect());
    Locked(repo, caller, workflow_id, expected);
    StepRepository steps(sql, db_.GetDialect());
    auto step = steps.Find(workflow_id, step_id);
    if (!step) throw core::NotFound("STEP_NOT_FOUND", "Step not found");
    const auto before = steps.ForWorkflow(workflow_id);
    steps.Delete(workflow_id, step_id);
    std::vector<int64_t> remaining;
    for (const auto& s : before) {
      if (s.id != step_id) remaining.push_back(s.id);
    }
    steps.Renumber(workflow_id, remaining);
    KeepValueRefs(steps, workflow_id, before, remaining);
    repo.Touch(caller.company_id, workflow_id, static_cast<int64_t>(remaining.size()), core::NowMillis());
    if (step->screenshot_id) {
      gone = ScreenshotRepository(sql, db_.GetDialect())
                 .DeleteUnreferenced(caller.company_id, {*step->screenshot_id});
    }
    return *repo.Find(caller.company_id, workflow_id);
  });
  RemoveBlobs(gone);
  return w;
}

WorkflowDetail WorkflowService::ReorderSteps(const Caller& caller, int64_t workflow_id,
                                             const std::vector<int64_t>& step_ids,
                                             const ExpectedVersions& expected) {
  const core::BumpOnExit touch(versions_, caller.company_id);
  db_.Transaction([&](soci::session& sql) {
    WorkflowRepository repo(sql, db_.GetDialect());
    auto w = Locked(repo, caller, workflow_id, expected);
    StepRepository steps(sql, db_.GetDialect());
    const auto before = steps.ForWorkflow(workflow_id);
    std::set<int64_t> current;
    for (const auto& s : before) current.insert(s.id);
    const std::set<int64_t> given(step_ids.begin(), step_ids.end());
    if (given != current || given.size() != step_ids.size()) {
      throw core::ValidationError("/step_ids", "must list every step of the workflow exactly once");
    }
    steps.Renumber(workflow_id, step_ids);
    KeepValueRefs(steps, workflow_id, before, step_ids);
    repo.Touch(caller.company_id, workflow_id, w.step_count, core::NowMillis());
  });
  return Get(caller, workflow_id);
}

}  // namespace stepwise::services
