#include "services/labeling.hpp"

#include "core/crypto.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "services/images.hpp"
#include "services/workflow_status.hpp"
#include "storage/db/workflows.hpp"

namespace stepwise::services {

using nlohmann::json;
using storage::LabelingRepository;

namespace {

json Parse(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return json::parse(*text, nullptr, false);
}

std::string PathOf(const std::string& url) {
  const auto scheme = url.find("://");
  const auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return "/";
  return url.substr(path, url.find_first_of("?#", path) - path);
}

}  // namespace

std::string LabelSignature(const ai::StepFacts& f) {
  json sig = json::object();
  for (const char* key : {"tag_name", "role", "type", "name", "placeholder", "label_text", "aria_label",
                          "accessible_name", "inner_text", "title", "alt", "id"}) {
    if (f.element_meta.is_object() && f.element_meta.contains(key) && f.element_meta[key].is_string()) {
      sig[key] = core::FoldCase(core::CollapseSpace(f.element_meta[key].get<std::string>()));
    }
  }
  sig["action"] = f.action_type;
  sig["path"] = PathOf(f.page_context.is_object() ? f.page_context.value("url", "") : "");
  const bool has_value = f.action_data.is_object() && f.action_data.contains("input_value") &&
                         f.action_data["input_value"].is_string() &&
                         !f.action_data["input_value"].get<std::string>().empty();
  sig["value"] = has_value;
  // Whose value it is changes the words ("Enter your …", "Type the … you want", a quote).
  const ai::ValueKind kind = ai::ValueKindOf(f);
  sig["kind"] = static_cast<int>(kind);
  if (ai::ShowsEarlierValue(f)) sig["from_earlier"] = true;
  // A fixed value is quoted ("Select “ABC Corp”…", "Enter “42”…"), so it is part of it; a personal
  // or free one never is.
  if (has_value && kind == ai::ValueKind::kFixed &&
      (f.action_type == "select_change" || f.action_type == "input_commit"))
    sig["chosen"] = f.action_data["input_value"];
  return core::Sha256Hex(sig.dump());
}

LabelingService::LabelingService(storage::Database& db, storage::BlobStore& blobs, jobs::Queue& queue,
                                 ai::LabelChain& chain, EventBus& events, NotificationService& notifications,
                                 core::VersionCounters* versions, LabelingOptions options)
    : db_(db),
      blobs_(blobs),
      queue_(queue),
      chain_(chain),
      events_(events),
      notifications_(notifications),
      versions_(versions),
      options_(options) {}

void LabelingService::QueueIn(soci::session& sql, int64_t company_id, int64_t workflow_id) {
  LabelingRepository repo(sql, db_.GetDialect());
  repo.StartLabeling(company_id, workflow_id, core::NowMillis());
  EnqueueIn(sql, workflow_id, repo.MarkPending(workflow_id, {}), false);
}

void LabelingService::EnqueueIn(soci::session& sql, int64_t workflow_id, const std::vector<int64_t>& step_ids,
                                bool fresh) {
  if (step_ids.empty()) return;
  if (!chain_.HasVendors()) {
    queue_.EnqueueIn(sql, kLabelWorkflow, {{"workflow_id", workflow_id}}, jobs::EnqueueOptions{0, 5});
    return;
  }
  for (const auto id : step_ids) {
    nlohmann::json payload = {{"step_id", id}};
    if (fresh) payload["fresh"] = true;
    queue_.EnqueueIn(sql, kLabelStep, payload, jobs::EnqueueOptions{0, 5});
  }
}

LabelingService::Relabeled LabelingService::Relabel(const Caller& caller, int64_t workflow_id,
                                                    const std::vector<int64_t>& step_ids) {
  const core::BumpOnExit touch(versions_, caller.company_id);
  Relabeled out;
  db_.Transaction([&](soci::session& sql) {
    storage::WorkflowRepository workflows(sql, db_.GetDialect());
    auto w = workflows.FindForUpdate(caller.company_id, workflow_id);
    if (!w) throw core::NotFound("WORKFLOW_NOT_FOUND", "Workflow not found");
    if (w->status == "archived")
      throw core::Conflict("WORKFLOW_ARCHIVED", "An archived workflow is not relabeled");
    LabelingRepository repo(sql, db_.GetDialect());
    if (!step_ids.empty()) {
      storage::StepRepository steps(sql, db_.GetDialect());
      for (const auto id : step_ids) {
        if (!steps.Find(workflow_id, id))
          throw core::NotFound("STEP_NOT_FOUND", "Step " + std::to_string(id) + " not found");
      }
    }
    auto pending = repo.MarkPending(workflow_id, step_ids);
    repo.StartLabeling(caller.company_id, workflow_id, core::NowMillis());
    // A workflow being reviewed goes back to processing; a published one stays published.
    if (w->status == "draft" || w->status == "needs_review") {
      w->status = Transition(w->status, WorkflowStatus::kProcessing, ChangedBy::kServer);
      workflows.Update(*w, core::NowMillis());
    }
    EnqueueIn(sql, workflow_id, pending, true);
    out.status = w->status;
    out.queued = static_cast<int64_t>(pending.size());
  });
  queue_.Flush();
  events_.Publish(caller.company_id, "workflow_status",
                  {{"workflow_id", workflow_id}, {"status", out.status}});
  return out;
}

storage::LabelProgress LabelingService::Progress(int64_t workflow_id) {
  return db_.Read(
      [&](soci::session& sql) { return LabelingRepository(sql, db_.GetDialect()).Progress(workflow_id); });
}

int64_t LabelingService::CacheHits(int64_t company_id) {
  return db_.Read(
      [&](soci::session& sql) { return LabelingRepository(sql, db_.GetDialect()).CacheHits(company_id); });
}

void LabelingService::Register(jobs::Registry& registry) {
  registry.Add(kLabelStep, [this](const jobs::Job& job) {
    LabelStep(job.payload.at("step_id").get<int64_t>(), job.payload.value("fresh", false));
  });
  registry.Add(kLabelWorkflow,
               [this](const jobs::Job& job) { LabelWorkflow(job.payload.at("workflow_id").get<int64_t>()); });
  registry.Add(kWatchdog, [this](const jobs::Job&) { Watchdog(); });
}

std::vector<jobs::PeriodicTask> LabelingService::Periodic() const {
  return {{kWatchdog, options_.watchdog_period_ms}};
}

void LabelingService::LabelStep(int64_t step_id, bool fresh) {
  auto step =
      db_.Read([&](soci::session& sql) { return LabelingRepository(sql, db_.GetDialect()).Load(step_id); });
  if (!step || step->label_status != "pending") return;  // gone, or labeled already (a repeated job)
  ai::LabelRequest request;
  request.facts.action_type = step->action_type;
  request.facts.element_meta = Parse(step->element_meta_json);
  request.facts.page_context = Parse(step->page_context_json);
  request.facts.action_data = Parse(step->action_data_json);

  const std::string signature = LabelSignature(request.facts);
  if (chain_.HasVendors()) {
    std::optional<storage::CachedLabel> cached;
    if (!fresh)
      cached = db_.Write([&](soci::session& sql) {  // counts a hit
        return LabelingRepository(sql, db_.GetDialect()).CacheGet(step->company_id, signature);
      });
    if (cached) {
      Store({{*step,
              ai::Label{cached->field_label, cached->instruction, cached->confidence, cached->ai_model}}},
            false);
      return;
    }
    if (step->screenshot_key) {
      try {
        if (auto bytes = blobs_.Get(*step->screenshot_key)) request.jpeg = ResizeForVision(*bytes);
      } catch (const std::exception& e) {
        core::LogWarn("screenshot not sent to the AI", {{"step_id", step_id}, {"error", e.what()}});
      }
    }
  }
  auto result = chain_.Run(request);
  if (result.fallback) {
    core::LogWarn("every AI provider failed; local label", {{"step_id", step_id}, {"errors", result.errors}});
  }
  Store({{*step, result.label}}, result.fallback);
  if (chain_.HasVendors() && !result.fallback) {
    db_.Transaction([&](soci::session& sql) {
      LabelingRepository(sql, db_.GetDialect())
          .CachePut(step->company_id, signature,
                    {result.label.field_label, result.label.instruction, result.label.confidence,
                     result.label.model},
                    core::NowMillis());
    });
  }
}

void LabelingService::LabelWorkflow(int64_t workflow_id) {
  auto labeled = LocalLabels(workflow_id);
  if (!labeled.empty()) Store(labeled, false);
}

std::vector<LabelingService::Labeled> LabelingService::LocalLabels(int64_t workflow_id) {
  auto steps = db_.Read(
      [&](soci::session& sql) { return LabelingRepository(sql, db_.GetDialect()).LoadPending(workflow_id); });
  std::vector<Labeled> out;
  out.reserve(steps.size());
  for (auto& step : steps) {
    const ai::StepFacts facts{step.action_type, Parse(step.element_meta_json), Parse(step.action_data_json),
                              Parse(step.page_context_json)};
    auto label = ai::LocalLabel(facts);
    out.push_back({std::move(step), std::move(label)});
  }
  return out;
}

void LabelingService::Store(const std::vector<Labeled>& labeled, bool fallback) {
  if (labeled.empty()) return;
  const storage::StepToLabel& first = labeled.front().step;
  const core::BumpOnExit touch(versions_, first.company_id);
  storage::LabelProgress progress;
  bool finished = false;
  std::optional<storage::NotificationRecord> note;
  std::string name;
  db_.Transaction([&](soci::session& sql) {
    // The workflow row lock orders concurrent label writes of one workflow, so that the last one
    // sees every other step done and makes the move to needs_review (PostgreSQL, read committed).
    storage::WorkflowRepository(sql, db_.GetDialect()).FindForUpdate(first.company_id, first.workflow_id);
    LabelingRepository repo(sql, db_.GetDialect());
    const int64_t now = core::NowMillis();
    std::vector<LabelingRepository::LabelWrite> writes;
    writes.reserve(labeled.size());
    for (const auto& [step, label] : labeled) {
      writes.push_back({step.id, label.field_label, label.instruction, label.confidence, label.model});
    }
    if (repo.WriteMany(writes, fallback ? "fallback" : "done", now) == 0) return;
    progress = repo.Progress(first.workflow_id);
    finished = repo.FinishIfDone(first.workflow_id, now);
    // Published under the workflow lock, so that progress events of one workflow leave in the
    // order of their counts, across threads and processes; after the commit, two workers could
    // publish 3 of 3 before 2 of 3. (A commit that fails after this is retried with the job, and
    // publishes again.)
    if (progress.total > 0) {
      events_.Publish(first.company_id, "progress",
                      {{"workflow_id", first.workflow_id},
                       {"done", progress.done},
                       {"total", progress.total},
                       {"failed", progress.failed}});
    }
    if (finished) {
      auto w = storage::WorkflowRepository(sql, db_.GetDialect()).Find(first.company_id, first.workflow_id);
      name = w ? w->name : std::string("A workflow");
      note = notifications_.CreateIn(
          sql, NewNotification{first.company_id, first.workflow_id, "ready_for_review", "info",
                               "\u201c" + core::TruncateUtf8(name, 200, true) + "\u201d is ready for review",
                               std::to_string(progress.total) + " steps labeled" +
                                   (progress.failed > 0 ? " (" + std::to_string(progress.failed) +
                                                              " by the fallback labeler: check them)"
                                                        : ""),
                               notifications_.WorkflowUrl(first.workflow_id)});
    }
  });
  if (finished) {
    events_.Publish(first.company_id, "workflow_status",
                    {{"workflow_id", first.workflow_id}, {"status", "needs_review"}});
    if (note) notifications_.Announce(*note);
  }
}

int LabelingService::Watchdog() {
  const int64_t before = core::NowMillis() - options_.deadline_ms;
  auto stuck = db_.Read(
      [&](soci::session& sql) { return LabelingRepository(sql, db_.GetDialect()).Stuck(before, 100); });
  for (const auto& w : stuck) {
    auto labeled = LocalLabels(w.id);
    core::LogWarn("labeling past its deadline: fallback labels",
                  {{"workflow_id", w.id}, {"pending", labeled.size()}});
    Store(labeled, true);
    if (labeled.empty()) {
      // Nothing pending, yet still processing (a crash between the last label and the move).
      db_.Transaction([&](soci::session& sql) {
        LabelingRepository(sql, db_.GetDialect()).FinishIfDone(w.id, core::NowMillis());
      });
      if (versions_ != nullptr) versions_->Bump(w.company_id);
    }
  }
  return static_cast<int>(stuck.size());
}

}  // namespace stepwise::services
