// Liveness, readiness, the contract and its docs page.
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "api/app.hpp"
#include "api/content_types.hpp"
#include "core/crypto.hpp"
#include "core/metrics.hpp"
#include "http/blocking_pool.hpp"

namespace stepwise::api {

using http::Access;
using http::Context;
using http::Response;
using http::Task;
using nlohmann::json;

namespace {

bool SafeFileName(const std::string& name) {
  if (name.empty() || name.size() > 128 || name.find("..") != std::string::npos) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) return false;
  }
  return true;
}

// Static files of the docs page, read once from WEB_DIR/docs and kept in memory.
class DocsFiles {
 public:
  explicit DocsFiles(std::string dir) : dir_(std::move(dir)) {}
  std::optional<std::string> Get(const std::string& name) {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(name); it != cache_.end()) return it->second;
    std::ifstream in(std::filesystem::path(dir_) / name, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return cache_[name] = ss.str();
  }

 private:
  std::string dir_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> cache_;
};

Response StaticFile(const std::string& name, std::string content) {
  Response r;
  r.content_type = ContentTypeFor(name);
  r.body = std::move(content);
  r.With("Cache-Control", "public, max-age=300");
  r.With("Content-Security-Policy",
         "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
         "object-src 'none'; frame-ancestors 'none'");
  return r;
}

}  // namespace

void RegisterSystemRoutes(http::Router& router, App& app) {
  router.Add("GET", "/api/health", Access::kPublic, [](Context&) -> Task<Response> {
    static const std::string kBody = R"({"data":{"status":"ok"},"meta":{}})";
    Response r;
    r.body = kBody;
    co_return r;
  });

  router.Add("GET", "/api/ready", Access::kPublic, [&app](Context& ctx) -> Task<Response> {
    if (app.system.Draining())
      throw core::Error(core::ErrorKind::kUnavailable, "NOT_READY", "The server is shutting down",
                        {{"draining", true}})
          .WithRetryAfter(1);
    const auto ready = co_await ctx.db.Run([&] { return app.system.Check(); });
    if (!ready.database || !ready.migrations_current) {
      throw core::Error(core::ErrorKind::kUnavailable, "NOT_READY", "The server is not ready",
                        {{"database", ready.database ? "ok" : "unreachable"},
                         {"migrations", ready.migrations_current ? "current" : "pending"}})
          .WithRetryAfter(5);
    }
    co_return Response::Data({{"status", "ready"}, {"database", "ok"}, {"migrations", "current"}});
  });

  // Prometheus metrics for the operator: behind its own token (not a user's), off without one.
  router.Add("GET", "/metrics", Access::kPublic, [&app](Context& ctx) -> Task<Response> {
    if (app.config.metrics_token.empty())
      throw core::NotFound("NOT_FOUND", "Metrics are off on this server (set METRICS_TOKEN)");
    const std::string expected = "Bearer " + app.config.metrics_token;
    if (!core::ConstantTimeEquals(ctx.req.Header("Authorization"), expected))
      throw core::Unauthorized("GET /metrics needs Authorization: Bearer <METRICS_TOKEN>");
    // The collectors read the database (the job queue): on its pool.
    auto text = co_await ctx.db.Run([] { return core::metrics::Default().Text(); });
    Response r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = std::move(text);
    r.With("Cache-Control", "no-store");
    co_return r;
  });

  router.Add("GET", "/api/openapi.json", Access::kPublic, [&app](Context&) -> Task<Response> {
    Response r;
    r.body = app.contract.Json();
    r.With("Cache-Control", "public, max-age=300");
    co_return r;
  });

  router.Add("GET", "/api/extension.zip", Access::kPublic, [&app](Context& ctx) -> Task<Response> {
    // Packed on first request (file reads and deflate: CPU work), then kept.
    auto zip = co_await ctx.cpu.Run([&] { return app.extension.Zip(); });
    Response r;
    r.content_type = "application/zip";
    r.body = *zip;
    r.With("Content-Disposition", "attachment; filename=\"stepwise-extension.zip\"");
    r.With("Cache-Control", "no-cache");
    co_return r;
  });

  auto docs = std::make_shared<DocsFiles>((std::filesystem::path(app.config.web_dir) / "docs").string());
  router.Add("GET", "/api/docs", Access::kPublic, [docs](Context& ctx) -> Task<Response> {
    auto file = co_await ctx.db.Run([&] { return docs->Get("index.html"); });
    if (!file) throw core::NotFound("DOCS_NOT_BUILT", "The docs page is not built; run make build");
    co_return StaticFile("index.html", std::move(*file));
  });
  router.Add("GET", "/api/docs/assets/{file}", Access::kPublic, [docs](Context& ctx) -> Task<Response> {
    const std::string name = ctx.req.path_params.at("file");
    if (!SafeFileName(name)) throw core::NotFound("NOT_FOUND", "No such file");
    auto file = co_await ctx.db.Run([&] { return docs->Get(name); });
    if (!file) throw core::NotFound("NOT_FOUND", "No such file");
    co_return StaticFile(name, std::move(*file));
  });
}

}  // namespace stepwise::api
