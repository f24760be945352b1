#pragma once
// Request bodies, validated against the contract, read into the typed inputs of the services.
#include <nlohmann/json.hpp>

#include "services/workflows.hpp"

namespace stepwise::api {

// A createWorkflow body (also what an import makes of a recording).
services::WorkflowInput WorkflowInputFrom(const nlohmann::json& body);
// An updateWorkflow body; 422 on /status when it names no workflow status.
services::WorkflowPatch WorkflowPatchFrom(const nlohmann::json& body);

}  // namespace stepwise::api
