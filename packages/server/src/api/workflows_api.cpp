// /api/workflows: upload, list, read, edit, delete recorded workflows and their steps.
#include "api/app.hpp"
#include "api/etags.hpp"
#include "api/requests.hpp"
#include "api/response_cache.hpp"
#include "api/views.hpp"
#include "core/time.hpp"
#include "http/blocking_pool.hpp"

namespace stepwise::api {

using http::Access;
using http::Context;
using http::Response;
using http::Task;
using nlohmann::json;

namespace {

// The largest upload: 500 steps with both HTML snippets at their 16 KiB bound, and the rest.
constexpr int64_t kCreateBodyLimit = 24 * 1024 * 1024;
storage::WorkflowFilter FilterFrom(const json& q) {
  storage::WorkflowFilter f;
  f.limit = q.value("limit", 50);
  f.offset = q.value("offset", 0);
  if (q.contains("status")) f.status = q["status"].get<std::string>();
  f.exclude_archived = !q.value("include_archived", false);
  if (q.contains("tag")) f.tag = q["tag"].get<std::string>();
  if (q.contains("created_by")) f.created_by = q["created_by"].get<int64_t>();
  if (q.contains("origin")) {
    auto origin = services::UrlOrigin(q["origin"].get<std::string>());
    if (!origin)
      throw core::ValidationError("/query/origin",
                                  "must be an http(s) origin such as https://app.example.com");
    f.origin = *origin;
  }
  if (q.contains("q")) f.search = q["q"].get<std::string>();
  std::string sort = q.value("sort", std::string("-updated_at"));
  f.descending = !sort.empty() && sort[0] == '-';
  f.sort_column = f.descending ? sort.substr(1) : sort;
  return f;
}

ScreenshotLinks LinksOf(const App& app, const http::Request& req, const storage::ScreenshotRecord& shot,
                        int64_t now = core::NowSeconds()) {
  ScreenshotLinks links;
  links.url = BlobUrl(app, req, shot.storage_key, now);
  if (shot.thumbnail_key) {
    links.thumbnail_url = BlobUrl(app, req, *shot.thumbnail_key, now);
  }
  return links;
}

const std::vector<storage::VariantRecord> kNoVariants;

// The detail body, built as text: steps splice their stored JSON in without re-parsing it.
std::string DetailJson(const App& app, const http::Request& req, const services::WorkflowDetail& d) {
  core::JsonWriter out(4096 + d.steps.size() * 2048);
  WriteWorkflow(out, d.workflow, false);
  out.Key("labeling");
  if (d.labeling) {
    out.BeginObject().Key("done").Int(d.labeling->done).Key("total").Int(d.labeling->total);
    out.Key("failed").Int(d.labeling->failed).EndObject();
  } else {
    out.Null();
  }
  out.Key("steps").BeginArray();
  const int64_t now = core::NowSeconds();
  for (const auto& step : d.steps) {
    const storage::ScreenshotRecord* shot = nullptr;
    ScreenshotLinks links;
    if (step.screenshot_id) {
      if (auto it = d.screenshots.find(*step.screenshot_id); it != d.screenshots.end()) {
        shot = &it->second;
        links = LinksOf(app, req, *shot, now);
      }
    }
    const auto stored = d.variants.find(step.id);
    WriteStep(out, step, shot, shot != nullptr ? &links : nullptr,
              stored != d.variants.end() ? stored->second : kNoVariants, d.workflow.created_by);
  }
  out.EndArray().EndObject();
  return out.Take();
}

Response RawData(std::string data, const std::string& etag) {
  Response r;
  r.body = "{\"data\":" + data + ",\"meta\":{}}";
  r.With("ETag", etag);
  return r;
}

// Cached answers are per company, per role (regular users see less) and per request target
// (absolute links in them start with PUBLIC_URL, the same for every caller).
std::string CacheKey(const http::Request& req, const services::Caller& caller) {
  std::string key = std::to_string(caller.company_id);
  key += caller.role == "admin" ? "|a|" : "|u|";
  key += req.method;
  key += ' ';
  key += req.target;
  return key;
}

Response Cached(const ResponseCache::Entry& entry) {
  Response r;
  r.body = entry.body;
  return r;
}

std::string WorkflowText(const storage::WorkflowRecord& w) {
  core::JsonWriter out(1024);
  WriteWorkflow(out, w);
  return out.Take();
}

}  // namespace

void RegisterWorkflowRoutes(http::Router& router, App& app) {
  router.Add("GET", "/api/workflows", Access::kUser, [&app](Context& ctx) -> Task<Response> {
    const auto caller = CallerOf(ctx);
    // Only a valid query's answer is ever cached, so a hit needs no validation.
    const std::string key = CacheKey(ctx.req, caller);
    const uint64_t version = app.versions.Get(caller.company_id);
    bool refresh = false;
    if (auto hit = app.responses.Get(key, version, &refresh); hit && !refresh) co_return Cached(*hit);
    const auto filter = FilterFrom(app.contract.Query("listWorkflows", ctx.req));
    auto page = co_await ctx.db.Run([&] { return app.workflows.List(caller, filter); });
    core::JsonWriter out(1024 + page.items.size() * 600);
    out.BeginObject().Key("data").BeginArray();
    for (const auto& w : page.items) WriteWorkflow(out, w);
    out.EndArray().Key("meta").BeginObject();
    out.Key("total").Int(page.total).Key("limit").Int(filter.limit).Key("offset").Int(filter.offset);
    out.EndObject().EndObject();
    Response r;
    r.body = out.Take();
    app.responses.Put(key, version, {r.body, {}});
    co_return r;
  });

  router
      .Add("POST", "/api/workflows", Access::kAdmin,
           [&app](Context& ctx) -> Task<Response> {
             const auto caller = CallerOf(ctx);
             const auto idem = IdempotencyOf(ctx.req, "createWorkflow");
             if (idem) {
               auto first = co_await ctx.db.Run([&] { return app.idempotency.Replay(caller, *idem); });
               if (first) co_return ReplayedAnswer(*first);
             }
             // Parsing and validating up to 24 MiB is CPU work: off the I/O thread.
             auto created = co_await ctx.cpu.Run([&]() -> std::optional<storage::WorkflowRecord> {
               const auto input = WorkflowInputFrom(app.contract.Body("createWorkflow", ctx.req));
               try {
                 return app.workflows.Create(caller, input, {}, IdempotentAnswer(app, caller, idem));
               } catch (const services::IdempotentReplay&) {
                 return std::nullopt;  // the same key committed first: its answer, nothing created
               }
             });
             if (!created) {
               auto first = co_await ctx.db.Run([&] { return app.idempotency.Replay(caller, *idem); });
               co_return ReplayedAnswer(first.value());
             }
             co_return Response::Data(CreatedJson(*created), 201);
           })
      .body_limit = kCreateBodyLimit;

  router.Add("GET", "/api/workflows/{id}", Access::kUser, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const auto caller = CallerOf(ctx);
    const std::string key = CacheKey(ctx.req, caller);
    const uint64_t version = app.versions.Get(caller.company_id);
    bool refresh = false;
    std::shared_ptr<const ResponseCache::Entry> entry = app.responses.Get(key, version, &refresh);
    if (!entry || refresh) {
      auto detail = co_await ctx.db.Run([&] { return app.workflows.Get(caller, id); });
      auto fresh = std::make_shared<ResponseCache::Entry>();
      fresh->etag = WorkflowETag(detail.workflow);
      fresh->body = "{\"data\":" + DetailJson(app, ctx.req, detail) + ",\"meta\":{}}";
      app.responses.Put(key, version, *fresh);
      entry = std::move(fresh);
    }
    if (ctx.req.Header("If-None-Match") == entry->etag) {
      Response r;
      r.status = 304;
      r.content_type.clear();
      r.With("ETag", entry->etag);
      co_return r;
    }
    Response r = Cached(*entry);
    r.With("ETag", entry->etag);
    co_return r;
  });

  router.Add("PUT", "/api/workflows/{id}", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const auto patch = WorkflowPatchFrom(app.contract.Body("updateWorkflow", ctx.req));
    const auto caller = CallerOf(ctx);
    const auto expected = ExpectedVersionsFrom(ctx.req.Header("If-Match"), id);
    auto w = co_await ctx.db.Run(
        [&] { return WithCurrentETag([&] { return app.workflows.Update(caller, id, patch, expected); }); });
    co_return RawData(WorkflowText(w), WorkflowETag(w));
  });

  router.Add("DELETE", "/api/workflows/{id}", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const auto caller = CallerOf(ctx);
    co_await ctx.db.Run([&] { app.workflows.Delete(caller, id); });
    co_return Response::NoContent();
  });

  router.Add(
      "PUT", "/api/workflows/{id}/steps/order", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
        const int64_t id = PathId(ctx.req, "id");
        const json body = app.contract.Body("reorderSteps", ctx.req);
        const auto caller = CallerOf(ctx);
        const auto ids = body.at("step_ids").get<std::vector<int64_t>>();
        const auto expected = ExpectedVersionsFrom(ctx.req.Header("If-Match"), id);
        auto detail = co_await ctx.db.Run([&] {
          return WithCurrentETag([&] { return app.workflows.ReorderSteps(caller, id, ids, expected); });
        });
        co_return RawData(DetailJson(app, ctx.req, detail), WorkflowETag(detail.workflow));
      });

  router.Add(
      "PATCH", "/api/workflows/{id}/steps/{step_id}", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
        const int64_t id = PathId(ctx.req, "id");
        const int64_t step_id = PathId(ctx.req, "step_id");
        const json body = app.contract.Body("updateStep", ctx.req);
        const auto caller = CallerOf(ctx);
        services::WorkflowService::StepEdit edit;
        if (body.contains("field_label")) edit.field_label = body["field_label"].get<std::string>();
        if (body.contains("instruction")) edit.instruction = body["instruction"].get<std::string>();
        if (body.contains("value_kind")) {
          edit.value_kind = services::ParseValueKind(body["value_kind"].get<std::string>());
          if (!edit.value_kind) throw core::ValidationError("/value_kind", "must be personal, free or fixed");
        }
        const auto expected = ExpectedVersionsFrom(ctx.req.Header("If-Match"), id);
        auto updated = co_await ctx.db.Run([&] {
          return WithCurrentETag(
              [&] { return app.workflows.UpdateStep(caller, id, step_id, edit, expected); });
        });
        core::JsonWriter out;
        const storage::ScreenshotRecord* shot = updated.screenshot ? &*updated.screenshot : nullptr;
        const ScreenshotLinks links = shot != nullptr ? LinksOf(app, ctx.req, *shot) : ScreenshotLinks{};
        WriteStep(out, updated.step, shot, shot != nullptr ? &links : nullptr, updated.variants,
                  updated.workflow.created_by);
        co_return RawData(out.Take(), WorkflowETag(updated.workflow));
      });

  router.Add(
      "DELETE", "/api/workflows/{id}/steps/{step_id}", Access::kAdmin,
      [&app](Context& ctx) -> Task<Response> {
        const int64_t id = PathId(ctx.req, "id");
        const int64_t step_id = PathId(ctx.req, "step_id");
        const auto caller = CallerOf(ctx);
        const auto expected = ExpectedVersionsFrom(ctx.req.Header("If-Match"), id);
        auto w = co_await ctx.db.Run([&] {
          return WithCurrentETag([&] { return app.workflows.DeleteStep(caller, id, step_id, expected); });
        });
        co_return Response::NoContent().With("ETag", WorkflowETag(w));
      });

  router.Add("POST", "/api/workflows/{id}/relabel", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    std::vector<int64_t> ids;
    if (!ctx.req.body.empty()) {
      const json body = app.contract.Body("relabelWorkflow", ctx.req);
      if (body.contains("step_ids")) ids = body["step_ids"].get<std::vector<int64_t>>();
    }
    const auto caller = CallerOf(ctx);
    auto out = co_await ctx.db.Run([&] { return app.labeling.Relabel(caller, id, ids); });
    co_return Response::Data({{"workflow_id", id}, {"status", out.status}, {"queued", out.queued}}, 202);
  });
}

}  // namespace stepwise::api
