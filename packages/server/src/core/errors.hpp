#pragma once
// Domain errors. Services throw Error with a kind (what went wrong, mapped to an HTTP status in
// one table in http/) and a stable UPPER_SNAKE code the client can branch on.
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace stepwise::core {

enum class ErrorKind {
  kBadRequest,          // 400
  kUnauthorized,        // 401
  kForbidden,           // 403
  kNotFound,            // 404
  kMethodNotAllowed,    // 405
  kConflict,            // 409
  kPreconditionFailed,  // 412
  kTooLarge,            // 413
  kUnsupportedMedia,    // 415
  kValidation,          // 422
  kRateLimited,         // 429
  kHeadersTooLarge,     // 431
  kUnavailable,         // 503
  kInternal,            // 500
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string code, const std::string& message,
        nlohmann::json details = nlohmann::json::object())
      : std::runtime_error(message), kind_(kind), code_(std::move(code)), details_(std::move(details)) {}

  ErrorKind Kind() const { return kind_; }
  const std::string& Code() const { return code_; }
  const nlohmann::json& Details() const { return details_; }
  // Seconds a client should wait before retrying (429, 503); 0 when not applicable.
  int RetryAfter() const { return retry_after_; }
  Error& WithRetryAfter(int seconds) {
    retry_after_ = seconds;
    return *this;
  }

 private:
  ErrorKind kind_;
  std::string code_;
  nlohmann::json details_;
  int retry_after_ = 0;
};

// Thrown by work that was stopped because the process is shutting down: a job interrupted so is
// handed back to the queue, not failed.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted by shutdown") {}
};

inline Error NotFound(std::string code, const std::string& message) {
  return {ErrorKind::kNotFound, std::move(code), message};
}
inline Error Conflict(std::string code, const std::string& message) {
  return {ErrorKind::kConflict, std::move(code), message};
}
inline Error Forbidden(const std::string& message = "You do not have permission to do this") {
  return {ErrorKind::kForbidden, "FORBIDDEN", message};
}
inline Error Unauthorized(const std::string& message = "Authentication required") {
  return {ErrorKind::kUnauthorized, "UNAUTHORIZED", message};
}
// Validation failures of several fields: `errors` is an array of {pointer, message} (JSON
// Pointers into the body, or /query/<name>, /path/<name>), the shape schema violations have.
inline Error ValidationErrors(nlohmann::json errors,
                              const std::string& message = "The request is not valid") {
  return {ErrorKind::kValidation, "VALIDATION_ERROR", message, nlohmann::json{{"errors", std::move(errors)}}};
}
// A single-field validation failure.
inline Error ValidationError(const std::string& pointer, const std::string& message) {
  return ValidationErrors(nlohmann::json::array({{{"pointer", pointer}, {"message", message}}}));
}

}  // namespace stepwise::core
