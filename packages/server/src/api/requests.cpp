#include "api/requests.hpp"

#include <algorithm>

#include "core/crypto.hpp"
#include "core/errors.hpp"

namespace stepwise::api {

using nlohmann::json;

namespace {

std::optional<std::string> OptionalText(const json& obj, const char* key) {
  if (!obj.contains(key) || obj[key].is_null()) return std::nullopt;
  return obj[key].get<std::string>();
}

std::optional<std::string> OptionalJson(const json& obj, const char* key) {
  if (!obj.contains(key) || obj[key].is_null()) return std::nullopt;
  return obj[key].dump();
}

// screenshot_ref.id arrives as a number or a string of digits.
int64_t ScreenshotRefId(const json& ref) {
  const auto& id = ref.at("id");
  if (id.is_number_integer()) return id.get<int64_t>();
  return std::stoll(id.get<std::string>());
}

}  // namespace

services::WorkflowInput WorkflowInputFrom(const json& body) {
  const json& meta = body.at("metadata");
  services::WorkflowInput in;
  in.name = meta.at("name").get<std::string>();
  in.description = OptionalText(meta, "description");
  in.starting_url = meta.at("starting_url").get<std::string>();
  if (meta.contains("tags")) in.tags = meta["tags"].get<std::vector<std::string>>();
  const json& steps = body.at("steps");
  in.steps.reserve(steps.size());
  for (const json& s : steps) {
    services::StepInput step;
    step.step_number = s.at("step_number").get<int64_t>();
    step.timestamp = OptionalText(s, "timestamp");
    step.action_type = s.at("action_type").get<std::string>();
    step.selectors_json = s.at("selectors").dump();
    step.element_meta_json = s.at("element_meta").dump();
    step.page_context_json = s.at("page_context").dump();
    step.action_data_json = OptionalJson(s, "action_data");
    step.dom_context_json = OptionalJson(s, "dom_context");
    step.expected_outcome_json = OptionalJson(s, "expected_outcome");
    if (s.contains("screenshot_ref") && !s["screenshot_ref"].is_null()) {
      step.screenshot_id = ScreenshotRefId(s["screenshot_ref"]);
      step.screenshot_hash = OptionalText(s["screenshot_ref"], "hash");
    }
    in.steps.push_back(std::move(step));
  }
  return in;
}

services::WorkflowPatch WorkflowPatchFrom(const json& body) {
  services::WorkflowPatch patch;
  if (body.contains("name")) patch.name = body["name"].get<std::string>();
  if (body.contains("description")) patch.description = OptionalText(body, "description");
  if (body.contains("starting_url")) patch.starting_url = body["starting_url"].get<std::string>();
  if (body.contains("tags")) patch.tags = body["tags"].get<std::vector<std::string>>();
  if (body.contains("status")) {
    patch.status = services::ParseWorkflowStatus(body["status"].get<std::string>());
    if (!patch.status) throw core::ValidationError("/status", "is not a workflow status");
  }
  return patch;
}

std::optional<services::IdempotentRequest> IdempotencyOf(const http::Request& req, const char* operation) {
  const auto key = req.Header("Idempotency-Key");
  if (key.empty()) return std::nullopt;
  const bool visible = std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (key.size() > 255 || !visible)
    throw core::ValidationError("/headers/Idempotency-Key", "must be 1-255 visible ASCII characters");
  return services::IdempotentRequest{std::string(key), operation, core::Sha256Hex(req.body)};
}

http::Response ReplayedAnswer(const services::StoredAnswer& answer) {
  auto r = http::Response::Data(json::parse(answer.body), static_cast<unsigned>(answer.status));
  r.headers.emplace_back("Idempotency-Replayed", "true");
  return r;
}

}  // namespace stepwise::api
