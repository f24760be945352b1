// The dashboard: its built files from WEB_DIR/dashboard at /, and index.html for every other
// path outside /api so that client-side routes survive a reload.
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include "api/app.hpp"
#include "api/content_types.hpp"
#include "http/blocking_pool.hpp"

namespace stepwise::api {

using http::Context;
using http::Response;
using http::Task;

namespace {

// Each segment [A-Za-z0-9._-], no "." or ".." segment: nothing outside the folder is reachable.
bool SafeRelativePath(const std::string& path) {
  if (path.empty() || path.size() > 512) return false;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string seg = path.substr(start, end - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (char c : seg) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) return false;
    }
    start = end + 1;
  }
  return true;
}

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::optional<std::string> Get(const std::string& rel) {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(rel); it != cache_.end()) return it->second;
    const auto full = dir_ / rel;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(full, ec)) return std::nullopt;
    std::ifstream in(full, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    // Hashed assets never change; index.html is re-read when the build changes it.
    if (rel.rfind("assets/", 0) == 0) cache_[rel] = ss.str();
    return ss.str();
  }

 private:
  std::filesystem::path dir_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> cache_;
};

}  // namespace

void RegisterWebRoutes(http::Router& router, App& app) {
  auto files = std::make_shared<StaticFiles>(std::filesystem::path(app.config.web_dir) / "dashboard");
  router.SetFallback([files](Context& ctx) -> Task<Response> {
    std::string rel = ctx.req.path.substr(1);
    const std::string last = rel.substr(rel.rfind('/') + 1);  // npos + 1 == 0: the whole path
    const bool looks_like_file = last.find('.') != std::string::npos;
    std::optional<std::string> body;
    if (!rel.empty() && SafeRelativePath(rel)) body = co_await ctx.db.Run([&] { return files->Get(rel); });
    if (!body && looks_like_file) throw core::NotFound("NOT_FOUND", "No such file: " + ctx.req.path);
    if (!body) rel = "index.html";
    if (!body) body = co_await ctx.db.Run([&] { return files->Get(rel); });
    if (!body) throw core::NotFound("DASHBOARD_NOT_BUILT", "The dashboard is not built; run make build");
    Response r;
    r.content_type = ContentTypeFor(rel);
    r.body = std::move(*body);
    r.With("Cache-Control",
           rel.rfind("assets/", 0) == 0 ? "public, max-age=31536000, immutable" : "no-cache");
    r.With(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'");
    r.With("X-Frame-Options", "DENY");
    r.With("Referrer-Policy", "same-origin");
    co_return r;
  });
}

}  // namespace stepwise::api
