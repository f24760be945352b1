#pragma once
// Step labels: what the AI (or the local labeler) writes for one recorded step.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stepwise::ai {

// What was recorded about a step; stored JSON as objects (null when absent).
struct StepFacts {
  std::string action_type;
  nlohmann::json element_meta = nlohmann::json::object();
  nlohmann::json action_data;
  nlohmann::json page_context = nlohmann::json::object();
};

struct LabelRequest {
  StepFacts facts;
  std::optional<std::string> jpeg;  // the screenshot, resized, when there is one
};

struct Label {
  std::string field_label;  // ≤ 100 characters
  std::string instruction;  // ≤ 500 characters
  double confidence = 0;    // 0..1
  std::string model;        // who wrote it: "local" or "<provider>:<model>"
};

class ProviderError : public std::runtime_error {
 public:
  enum class Kind {
    kRetryable,  // 429, 529, 5xx, timeout, connection: try again, then the next provider
    kBadOutput,  // an answer we cannot use (no JSON, wrong types): try again
    kRefused,    // the model declined: the next provider
    kFatal,      // 400/401/403/404: our request or key is wrong; the next provider
  };
  ProviderError(Kind kind, const std::string& what, int64_t retry_after_ms = -1)
      : std::runtime_error(what), kind_(kind), retry_after_ms_(retry_after_ms) {}
  Kind kind() const { return kind_; }
  int64_t retry_after_ms() const { return retry_after_ms_; }

 private:
  Kind kind_;
  int64_t retry_after_ms_;
};

struct Image {
  std::string media_type;  // image/jpeg or image/png
  std::string bytes;
};

// One question to a vision model: text and images in, text out.
struct AskRequest {
  std::string prompt;
  std::vector<Image> images;
  int max_tokens = 500;
  int64_t timeout_ms = 0;  // 0: the vendor's configured timeout
};

// One AI vendor; Ask() is one attempt and throws ProviderError.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string Ask(const AskRequest& request) = 0;
  virtual std::string Name() const = 0;
};

// Whose value a typed or chosen step takes (action_data.value_kind): the colleague's own
// (personal), one they make up (free), or the one the task needs (fixed). Absent: fixed, or
// personal when the value was masked.
enum class ValueKind { kPersonal, kFree, kFixed };
ValueKind ValueKindOf(const StepFacts& facts);
// The step's target shows a value typed in an earlier step (action_data.value_from).
bool ShowsEarlierValue(const StepFacts& facts);

// The embedded labeler: no network, specific labels from the recorded data. Only a fixed value
// is quoted.
Label LocalLabel(const StepFacts& facts);

// The brief's prompt, with the element data that helps most.
std::string BuildPrompt(const StepFacts& facts);

// {field_label, instruction, confidence} out of a model's text: code fences and prose around the
// JSON are fine; missing fields or wrong types are nullopt. Confidence 0..100 or 0..1.
std::optional<Label> ParseLabel(std::string_view text, const std::string& model);

}  // namespace stepwise::ai
