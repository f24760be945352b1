#pragma once
// Request bodies, validated against the contract, read into the typed inputs of the services.
#include <nlohmann/json.hpp>

#include <optional>

#include "http/types.hpp"
#include "services/idempotency.hpp"
#include "services/workflows.hpp"

namespace stepwise::api {

// A createWorkflow body (also what an import makes of a recording).
services::WorkflowInput WorkflowInputFrom(const nlohmann::json& body);
// An updateWorkflow body; 422 on /status when it names no workflow status.
services::WorkflowPatch WorkflowPatchFrom(const nlohmann::json& body);
// The request's Idempotency-Key for `operation` (with a hash of its body); nullopt without one.
// 422 when the key is not 1-255 visible ASCII characters.
std::optional<services::IdempotentRequest> IdempotencyOf(const http::Request& req, const char* operation);
// The first answer again, marked `Idempotency-Replayed: true`.
http::Response ReplayedAnswer(const services::StoredAnswer& answer);

}  // namespace stepwise::api
