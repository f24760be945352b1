#pragma once
#include "core/errors.hpp"
#include "http/types.hpp"

namespace stepwise::http {

// The one table from error kinds to HTTP statuses.
unsigned StatusFor(core::ErrorKind kind);
// {"error": {"code", "message", "details"}} with the status of the kind, and Retry-After when set.
Response ErrorResponse(const core::Error& error);
Response ErrorResponse(core::ErrorKind kind, const std::string& code, const std::string& message);

}  // namespace stepwise::http
