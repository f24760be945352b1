// /api/workflows/{id}/export and /api/workflows/import: one recording, several outputs, and a
// DevTools Recorder recording back in as a new workflow.
#include "api/app.hpp"
#include "api/requests.hpp"
#include "core/time.hpp"
#include "http/blocking_pool.hpp"
#include "services/export.hpp"
#include "services/import.hpp"

namespace stepwise::api {

using http::Access;
using http::Context;
using http::Response;
using http::Task;
using nlohmann::json;

namespace {

// As long as the detail endpoint's links.
// The exported HTML is a file to save and print, not a page of this site: no script, no form,
// only its own inline styles and the screenshots.
constexpr const char* kHtmlPolicy =
    "default-src 'none'; img-src http: https: data:; style-src 'unsafe-inline'; sandbox";

services::ScreenshotUrls SignedUrls(const App& app, const http::Request& req,
                                    const services::WorkflowDetail& d) {
  services::ScreenshotUrls urls;
  const int64_t now = core::NowSeconds();
  for (const auto& [id, shot] : d.screenshots) {
    urls.emplace(id, BlobUrl(app, req, shot.storage_key, now));
  }
  return urls;
}

}  // namespace

void RegisterExportRoutes(http::Router& router, App& app) {
  router.Add("GET", "/api/workflows/{id}/export", Access::kUser, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const json query = app.contract.Query("exportWorkflow", ctx.req);
    const auto format = services::ParseExportFormat(query.at("format").get<std::string>());
    if (!format)
      throw core::ValidationError("/query/format", "must be devtools, playwright, markdown or html");
    const auto caller = CallerOf(ctx);
    // Regular users get active workflows only, like the detail (404 otherwise).
    auto detail = co_await ctx.db.Run([&] { return app.workflows.Get(caller, id); });
    auto file = co_await ctx.cpu.Run([&] {
      const auto urls = SignedUrls(app, ctx.req, detail);
      return services::ExportWorkflow(detail, *format, urls);
    });
    Response r;
    r.content_type = file.content_type;
    r.body = std::move(file.body);
    r.With("Content-Disposition", "attachment; filename=\"" + file.file_name + "\"");
    if (*format == services::ExportFormat::kHtml) r.With("Content-Security-Policy", kHtmlPolicy);
    co_return r;
  });

  // The literal "import" wins over "{id}" in the router (most literal segments), and no POST
  // route takes /api/workflows/{id}.
  router.Add("POST", "/api/workflows/import", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const auto caller = CallerOf(ctx);
    const auto idem = IdempotencyOf(ctx.req, "importWorkflow");
    if (idem) {
      auto first = co_await ctx.db.Run([&] { return app.idempotency.Replay(caller, *idem); });
      if (first) co_return ReplayedAnswer(*first);
    }
    auto created = co_await ctx.cpu.Run([&]() -> std::optional<storage::WorkflowRecord> {
      const json recording = app.contract.Body("importWorkflow", ctx.req);
      const auto imported = services::WorkflowFromRecording(recording);
      // What the import makes passes the upload's own contract and rules, or nothing is stored;
      // the errors point into the recording.
      try {
        app.contract.ValidateBody("createWorkflow", imported.body);
        return app.workflows.Create(caller, WorkflowInputFrom(imported.body), imported.variants,
                                    IdempotentAnswer(app, caller, idem));
      } catch (const services::IdempotentReplay&) {
        return std::nullopt;  // the same key committed first: its answer, nothing created
      } catch (const core::Error& e) {
        throw services::RecordingError(e, imported);
      }
    });
    if (!created) {
      auto first = co_await ctx.db.Run([&] { return app.idempotency.Replay(caller, *idem); });
      co_return ReplayedAnswer(first.value());
    }
    co_return Response::Data(CreatedJson(*created), 201);
  });
}

}  // namespace stepwise::api
