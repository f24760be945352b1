#pragma once
// The AI vendors: Anthropic's Messages API and OpenAI's Chat Completions, image inline (base64).
#include <memory>
#include <string>

#include "ai/labeler.hpp"

namespace stepwise::ai {

struct VendorConfig {
  std::string api_key;
  std::string base_url;  // Anthropic: https://api.anthropic.com; OpenAI: https://api.openai.com/v1
  std::string model;
  int64_t connect_timeout_ms = 5000;
  int64_t timeout_ms = 30000;
};

std::unique_ptr<Provider> MakeAnthropic(VendorConfig config);
std::unique_ptr<Provider> MakeOpenAI(VendorConfig config);

// For an answer and its HTTP status: the model's text, or the ProviderError it means.
std::string InterpretAnthropic(long status, const std::string& body, int64_t retry_after_ms);
std::string InterpretOpenAI(long status, const std::string& body, int64_t retry_after_ms);

}  // namespace stepwise::ai
