#include "api/app.hpp"

namespace stepwise::api {

services::Caller CallerOf(const http::Context& ctx) {
  const auto& p = ctx.User();
  return {p.user_id, p.company_id, p.role};
}

std::string BlobUrl(const App& app, const http::Request& req, const std::string& key, int64_t now) {
  return AbsoluteUrl(app, req, app.screenshots.SignedUrl(key, now, kBlobUrlTtlSeconds));
}

std::string AbsoluteUrl(const App& app, const http::Request& /*req*/, const std::string& url) {
  // PUBLIC_URL, never the request's Host header: a forged Host would otherwise put another
  // origin into links the server hands out (and into cached answers other callers get).
  if (url.empty() || url[0] != '/') return url;
  return app.config.public_url + url;
}

nlohmann::json CreatedJson(const storage::WorkflowRecord& w) {
  return {{"workflow_id", w.id}, {"status", w.status}};
}

services::WorkflowService::AlsoInTransaction IdempotentAnswer(
    App& app, const services::Caller& caller, const std::optional<services::IdempotentRequest>& idem) {
  if (!idem) return {};
  return [&app, caller, idem](soci::session& sql, const storage::WorkflowRecord& w) {
    app.idempotency.StoreIn(sql, caller, *idem, 201, CreatedJson(w).dump());
  };
}

void RegisterRoutes(http::Router& router, App& app) {
  RegisterSystemRoutes(router, app);
  RegisterAuthRoutes(router, app);
  RegisterCompanyRoutes(router, app);
  RegisterUserRoutes(router, app);
  RegisterExportRoutes(router, app);
  RegisterWorkflowRoutes(router, app);
  RegisterScreenshotRoutes(router, app);
  RegisterNotificationRoutes(router, app);
  RegisterEventRoutes(router, app);
  RegisterHealthRoutes(router, app);
  RegisterCheckRoutes(router, app);
  RegisterWebRoutes(router, app);
}

}  // namespace stepwise::api
