// /api/screenshots (multipart upload, metadata) and /api/blobs (bytes behind signed URLs).
#include <charconv>
#include <map>
#include <set>

#include "api/app.hpp"
#include "api/content_types.hpp"
#include "api/views.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "http/blocking_pool.hpp"
#include "http/multipart.hpp"

namespace stepwise::api {

using core::Error;
using core::ErrorKind;
using http::Access;
using http::Context;
using http::Response;
using http::Task;
using nlohmann::json;

namespace {

// The image (10 MB) and the small text fields with their multipart framing.
constexpr int64_t kUploadBodyLimit = 10 * 1024 * 1024 + 64 * 1024;

bool IsSha256Ref(std::string_view s) {
  if (s.size() != 71 || s.substr(0, 7) != "sha256:") return false;
  return std::all_of(s.begin() + 7, s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::optional<int64_t> PositiveId(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || s.size() > 16 || s[0] == '0' || ec != std::errc() || p != s.data() + s.size() || v < 1) {
    return std::nullopt;
  }
  return v;
}

// The form's parts by name, each sent at most once, and nothing we do not know.
services::ScreenshotUpload ReadForm(const http::Request& req) {
  const auto boundary = http::MultipartBoundary(req.Header("Content-Type"));
  if (!boundary) {
    throw Error(ErrorKind::kUnsupportedMedia, "UNSUPPORTED_MEDIA_TYPE",
                "Send the screenshot as multipart/form-data with a boundary");
  }
  auto parsed = http::ParseMultipart(req.body, *boundary);
  if (parsed.error) {
    throw Error(ErrorKind::kBadRequest, "INVALID_MULTIPART",
                "The multipart body is malformed: " + parsed.error->message);
  }
  std::map<std::string, const http::MultipartPart*> parts;
  json errors = json::array();
  for (const auto& p : parsed.parts) {
    static const std::set<std::string> kKnown = {"image", "image_hash", "workflow_id", "step_id"};
    if (kKnown.count(p.name) == 0) {
      errors.push_back({{"pointer", "/" + p.name.substr(0, 64)}, {"message", "is not a field of this form"}});
    } else if (!parts.emplace(p.name, &p).second) {
      errors.push_back({{"pointer", "/" + p.name}, {"message", "was sent more than once"}});
    }
  }
  if (!parts.count("image")) errors.push_back({{"pointer", "/image"}, {"message", "is required"}});
  if (!parts.count("image_hash")) errors.push_back({{"pointer", "/image_hash"}, {"message", "is required"}});
  services::ScreenshotUpload up;
  if (parts.count("image_hash")) {
    up.image_hash = std::string(parts["image_hash"]->data);
    if (!IsSha256Ref(up.image_hash)) {
      errors.push_back(
          {{"pointer", "/image_hash"}, {"message", "must be sha256: followed by 64 lower-case hex digits"}});
    }
  }
  if (parts.count("workflow_id")) {
    up.workflow_id = PositiveId(parts["workflow_id"]->data);
    if (!up.workflow_id)
      errors.push_back({{"pointer", "/workflow_id"}, {"message", "must be a positive integer"}});
  }
  if (parts.count("step_id")) {
    const auto v = parts["step_id"]->data;
    if (v.size() > 64 || !core::IsCleanUtf8(v)) {
      errors.push_back({{"pointer", "/step_id"}, {"message", "must be UTF-8 text of at most 64 bytes"}});
    } else {
      up.client_step_id = std::string(v);
    }
  }
  if (!errors.empty()) {
    throw core::ValidationErrors(errors);
  }
  up.bytes = parts["image"]->data;
  up.declared_type = parts["image"]->content_type;
  return up;
}

json Links(const App& app, const http::Request& req, const storage::ScreenshotRecord& s) {
  const int64_t now = core::NowSeconds();
  std::optional<std::string> thumb;
  if (s.thumbnail_key) thumb = BlobUrl(app, req, *s.thumbnail_key, now);
  return ScreenshotJson(s, BlobUrl(app, req, s.storage_key, now), thumb);
}

}  // namespace

void RegisterScreenshotRoutes(http::Router& router, App& app) {
  router
      .Add("POST", "/api/screenshots", Access::kUser,
           [&app](Context& ctx) -> Task<Response> {
             const auto caller = CallerOf(ctx);
             const auto upload = ReadForm(ctx.req);
             // Hashing and decoding the image are CPU work.
             auto result = co_await ctx.cpu.Run([&] { return app.screenshots.Upload(caller, upload); });
             if (result.created && !result.screenshot.thumbnail_key) {
               const int64_t company = caller.company_id, id = result.screenshot.id;
               ctx.cpu.TryPost([&app, company, id] {
                 try {
                   app.screenshots.EnsureThumbnail(company, id);
                 } catch (const std::exception& e) {
                   core::LogWarn("thumbnail failed", {{"screenshot_id", id}, {"error", e.what()}});
                 }
               });
             }
             co_return Response::Data(Links(app, ctx.req, result.screenshot), result.created ? 201 : 200);
           })
      .body_limit = kUploadBodyLimit;

  router.Add("GET", "/api/screenshots/{id}", Access::kUser, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const auto caller = CallerOf(ctx);
    auto shot = co_await ctx.db.Run([&] { return app.screenshots.Get(caller, id); });
    co_return Response::Data(Links(app, ctx.req, shot));
  });

  // The signature is the credential: no token, so that <img src> works.
  router.Add("GET", "/api/blobs/{key+}", Access::kPublic, [&app](Context& ctx) -> Task<Response> {
    const std::string key = ctx.req.path_params.at("key");
    const json q = app.contract.Query("getBlob", ctx.req);
    const int64_t expires = q.at("expires").get<int64_t>();
    const std::string sig = q.at("sig").get<std::string>();
    auto bytes = co_await ctx.db.Run(
        [&] { return app.screenshots.ReadSigned(key, expires, sig, core::NowSeconds()); });
    if (!bytes) throw core::NotFound("NOT_FOUND", "No such object");
    Response r;
    r.content_type = ContentTypeFor(key);
    r.body = std::move(*bytes);
    r.With("Cache-Control", "private, max-age=" + std::to_string(kBlobUrlTtlSeconds));
    r.With("Content-Security-Policy", "default-src 'none'; sandbox");
    co_return r;
  });
}

}  // namespace stepwise::api
