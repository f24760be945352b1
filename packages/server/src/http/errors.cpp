#include "http/errors.hpp"

namespace stepwise::http {

unsigned StatusFor(core::ErrorKind kind) {
  using K = core::ErrorKind;
  switch (kind) {
    case K::kBadRequest:
      return 400;
    case K::kUnauthorized:
      return 401;
    case K::kForbidden:
      return 403;
    case K::kNotFound:
      return 404;
    case K::kMethodNotAllowed:
      return 405;
    case K::kConflict:
      return 409;
    case K::kPreconditionFailed:
      return 412;
    case K::kTooLarge:
      return 413;
    case K::kUnsupportedMedia:
      return 415;
    case K::kValidation:
      return 422;
    case K::kRateLimited:
      return 429;
    case K::kHeadersTooLarge:
      return 431;
    case K::kUnavailable:
      return 503;
    case K::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(const core::Error& error) {
  nlohmann::json details = error.Details().is_object() ? error.Details() : nlohmann::json::object();
  Response r =
      Response::Json(StatusFor(error.Kind()),
                     {{"error", {{"code", error.Code()}, {"message", error.what()}, {"details", details}}}});
  if (error.RetryAfter() > 0) r.With("Retry-After", std::to_string(error.RetryAfter()));
  if (error.Kind() == core::ErrorKind::kUnauthorized) r.With("WWW-Authenticate", "Bearer");
  return r;
}

Response ErrorResponse(core::ErrorKind kind, const std::string& code, const std::string& message) {
  return ErrorResponse(core::Error(kind, code, message));
}

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(a) == std::tolower(b);
        })) {
      return v;
    }
  }
  return {};
}

Response Response::Json(unsigned status, const nlohmann::json& value) {
  Response r;
  r.status = status;
  r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::Data(const nlohmann::json& data, unsigned status, const nlohmann::json& meta) {
  Response r;
  r.status = status;
  // Built by hand to avoid copying `data` into a wrapper object.
  r.body = "{\"data\":";
  r.body += data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.body += ",\"meta\":";
  r.body += meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.body += "}";
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

const Principal& Context::User() const {
  if (!req.principal) throw core::Unauthorized();
  return *req.principal;
}

}  // namespace stepwise::http
