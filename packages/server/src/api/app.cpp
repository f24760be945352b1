#include "api/app.hpp"

#include <algorithm>

namespace stepwise::api {

services::Caller CallerOf(const http::Context& ctx) {
  const auto& p = ctx.User();
  return {p.user_id, p.company_id, p.role};
}

std::string BlobUrl(const App& app, const http::Request& req, const std::string& key, int64_t now) {
  return AbsoluteUrl(app, req, app.blobs.SignedGetUrl(key, now, kBlobUrlTtlSeconds));
}

std::string AbsoluteUrl(const App& app, const http::Request& req, const std::string& url) {
  if (url.empty() || url[0] != '/') return url;
  std::string host(req.Header("Host"));
  const bool sane = !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' ||
           c == ']';
  });
  if (!sane) return app.config.public_url + url;
  std::string proto = "http";
  if (app.config.trust_proxy) {
    std::string xfp(req.Header("X-Forwarded-Proto"));
    if (xfp == "https") proto = "https";
  }
  return proto + "://" + host + url;
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
  RegisterWebRoutes(router, app);
}

}  // namespace stepwise::api
