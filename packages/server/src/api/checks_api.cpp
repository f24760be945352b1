// Scheduled checks: a workflow's check, its runs (the filmstrip), and the sessions checks sign in
// with (docs/checker.md).
#include <charconv>

#include "api/app.hpp"
#include "core/time.hpp"
#include "http/blocking_pool.hpp"

namespace stepwise::api {

using http::Access;
using http::Context;
using http::Response;
using http::Task;
using nlohmann::json;

namespace {

json OptTimeJson(const std::optional<int64_t>& t) { return t ? json(core::FormatIso(*t)) : json(nullptr); }

template <class T>
json OptJson(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json CheckJson(const storage::CheckSettingsRecord& r) {
  json ids = json::parse(r.value_step_ids_json, nullptr, false);
  return {{"workflow_id", r.workflow_id},
          {"enabled", r.enabled},
          {"interval_minutes", r.interval_minutes},
          {"mode", r.mode},
          {"value_step_ids", ids.is_array() ? ids : json::array()},
          {"status", OptJson(r.status)},
          {"last_run_id", OptJson(r.last_run_id)},
          {"last_run_at", OptTimeJson(r.last_run_at)},
          {"next_run_at", OptTimeJson(r.enabled ? r.next_run_at : std::nullopt)},
          {"updated_at", OptTimeJson(r.updated_at)},
          {"updated_by", OptJson(r.updated_by)}};
}

json RunJson(const storage::CheckRunRecord& r) {
  return {{"id", r.id},
          {"workflow_id", r.workflow_id},
          {"trigger", r.trigger},
          {"mode", r.mode},
          {"state", r.state},
          {"status", OptJson(r.status)},
          {"created_at", core::FormatIso(r.created_at)},
          {"started_at", OptTimeJson(r.started_at)},
          {"finished_at", OptTimeJson(r.finished_at)},
          {"duration_ms", OptJson(r.duration_ms)},
          {"attempts", r.attempts},
          {"steps_total", r.steps_total},
          {"steps_found", r.steps_found},
          {"steps_healed", r.steps_healed},
          {"steps_missing", r.steps_missing},
          {"message", OptJson(r.message)}};
}

json RunViewJson(const App& app, const http::Request& req, const services::CheckRunView& v) {
  json out = RunJson(v.run);
  json steps = json::array();
  const int64_t now = core::NowSeconds();
  for (const auto& s : v.steps) {
    json box = s.box_json ? json::parse(*s.box_json, nullptr, false) : json(nullptr);
    if (box.is_discarded()) box = nullptr;
    steps.push_back({{"step_id", OptJson(s.step_id)},
                     {"step_number", s.step_number},
                     {"field_label", OptJson(s.field_label)},
                     {"outcome", s.outcome},
                     {"method", OptJson(s.method)},
                     {"score", OptJson(s.score)},
                     {"time_ms", s.time_ms},
                     {"page_url", OptJson(s.page_url)},
                     {"box", box},
                     {"screenshot_url",
                      s.screenshot_key ? json(BlobUrl(app, req, *s.screenshot_key, now)) : json(nullptr)},
                     {"width", OptJson(s.width)},
                     {"height", OptJson(s.height)},
                     {"message", OptJson(s.message)}});
  }
  out["steps"] = std::move(steps);
  return out;
}

json SessionJson(const storage::CheckSessionRecord& r) {
  return {{"id", r.id},
          {"origin", r.origin},
          {"cookie_count", r.cookie_count},
          {"local_storage_count", r.local_storage_count},
          {"key_id", r.key_id},
          {"captured_at", core::FormatIso(r.captured_at)},
          {"captured_by", OptJson(r.captured_by)}};
}

services::CheckSettingsPatch PatchFrom(const json& body) {
  services::CheckSettingsPatch p;
  if (body.contains("enabled")) p.enabled = body["enabled"].get<bool>();
  if (body.contains("interval_minutes")) p.interval_minutes = body["interval_minutes"].get<int64_t>();
  if (body.contains("mode")) p.mode = body["mode"].get<std::string>();
  if (body.contains("values")) {
    json errors = json::array();
    for (const auto& [key, value] : body["values"].items()) {
      int64_t id = 0;
      const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), id);
      if (ec != std::errc() || end != key.data() + key.size() || id <= 0 || key.front() == '0') {
        errors.push_back({{"pointer", "/values/" + key}, {"message", "must be keyed by a step id"}});
        continue;
      }
      p.values[id] = value.is_null() ? std::nullopt : std::optional(value.get<std::string>());
    }
    if (!errors.empty()) throw core::ValidationErrors(errors);
  }
  return p;
}

services::CheckSessionInput SessionFrom(const json& body) {
  services::CheckSessionInput in;
  in.origin = body.at("origin").get<std::string>();
  for (const auto& c : body.at("cookies")) {
    services::CheckCookie cookie;
    cookie.name = c.at("name").get<std::string>();
    cookie.value = c.at("value").get<std::string>();
    cookie.domain = c.at("domain").get<std::string>();
    cookie.path = c.at("path").get<std::string>();
    if (c.contains("expires") && c["expires"].is_number() && c["expires"].get<double>() >= 0)
      cookie.expires = c["expires"].get<double>();
    cookie.http_only = c.value("http_only", false);
    cookie.secure = c.value("secure", false);
    if (c.contains("same_site")) cookie.same_site = c["same_site"].get<std::string>();
    in.cookies.push_back(std::move(cookie));
  }
  for (const auto& item : body.at("local_storage"))
    in.local_storage.emplace_back(item.at("name").get<std::string>(), item.at("value").get<std::string>());
  return in;
}

}  // namespace

void RegisterCheckRoutes(http::Router& router, App& app) {
  router.Add("GET", "/api/workflows/{id}/check", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const auto caller = CallerOf(ctx);
    auto r = co_await ctx.db.Run([&] { return app.checks.Settings(caller, id); });
    co_return Response::Data(CheckJson(r));
  });

  router.Add("PUT", "/api/workflows/{id}/check", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const auto patch = PatchFrom(app.contract.Body("updateWorkflowCheck", ctx.req));
    const auto caller = CallerOf(ctx);
    auto r = co_await ctx.db.Run([&] { return app.checks.Update(caller, id, patch); });
    co_return Response::Data(CheckJson(r));
  });

  router.Add("GET", "/api/workflows/{id}/check-runs", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const json q = app.contract.Query("listCheckRuns", ctx.req);
    const int limit = q.value("limit", 50);
    const int offset = q.value("offset", 0);
    const auto caller = CallerOf(ctx);
    auto [runs, total] = co_await ctx.db.Run([&] { return app.checks.Runs(caller, id, limit, offset); });
    json items = json::array();
    for (const auto& r : runs) items.push_back(RunJson(r));
    co_return Response::Data(items, 200, {{"total", total}, {"limit", limit}, {"offset", offset}});
  });

  router.Add("POST", "/api/workflows/{id}/check-runs", Access::kAdmin,
             [&app](Context& ctx) -> Task<Response> {
               const int64_t id = PathId(ctx.req, "id");
               const auto caller = CallerOf(ctx);
               auto v = co_await ctx.db.Run([&] { return app.checks.RunNow(caller, id); });
               co_return Response::Data(RunViewJson(app, ctx.req, v), 202);
             });

  router.Add("GET", "/api/check-runs/{id}", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const auto caller = CallerOf(ctx);
    auto v = co_await ctx.db.Run([&] { return app.checks.Run(caller, id); });
    co_return Response::Data(RunViewJson(app, ctx.req, v));
  });

  router.Add("GET", "/api/check-sessions", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const auto caller = CallerOf(ctx);
    auto list = co_await ctx.db.Run([&] { return app.checks.Sessions(caller); });
    json items = json::array();
    for (const auto& s : list) items.push_back(SessionJson(s));
    co_return Response::Data(items);
  });

  router
      .Add("POST", "/api/check-sessions", Access::kAdmin,
           [&app](Context& ctx) -> Task<Response> {
             const auto caller = CallerOf(ctx);
             // Sealing is CPU work and the body is large: on the pool with the validation.
             auto saved = co_await ctx.db.Run([&] {
               const auto input = SessionFrom(app.contract.Body("saveCheckSession", ctx.req));
               return app.checks.SaveSession(caller, input);
             });
             co_return Response::Data(SessionJson(saved), 201);
           })
      .body_limit = 4 * 1024 * 1024;

  router.Add("DELETE", "/api/check-sessions/{id}", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const auto caller = CallerOf(ctx);
    co_await ctx.db.Run([&] { app.checks.DeleteSession(caller, id); });
    co_return Response::NoContent();
  });
}

}  // namespace stepwise::api
