#include "ai/vendors.hpp"

#include "core/crypto.hpp"
#include "net/http_client.hpp"

namespace stepwise::ai {

namespace {

using nlohmann::json;
using Kind = ProviderError::Kind;

std::string TrimSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Status codes every vendor shares the meaning of.
void ThrowForStatus(const std::string& vendor, long status, const std::string& body, int64_t retry_after_ms) {
  if (status >= 200 && status < 300) return;
  const std::string what = vendor + " answered " + std::to_string(status) + ": " + body.substr(0, 300);
  if (status == 408 || status == 409 || status == 429 || status >= 500) {
    throw ProviderError(Kind::kRetryable, what, retry_after_ms);
  }
  throw ProviderError(Kind::kFatal, what);
}

int64_t Timeout(const VendorConfig& c, const AskRequest& r) {
  return r.timeout_ms > 0 ? r.timeout_ms : c.timeout_ms;
}

// A vendor's base URL is the operator's setting: any address, environment proxies honoured.
net::HttpResult Post(const VendorConfig& c, const AskRequest& r, const std::string& url,
                     const std::vector<std::string>& headers, const std::string& body) {
  try {
    return net::PostJson(url, headers, body,
                         net::EgressPolicy::Operator(c.connect_timeout_ms, Timeout(c, r)));
  } catch (const net::TransportError& e) {
    throw ProviderError(e.GetKind() == net::TransportError::Kind::kRefused ? Kind::kFatal : Kind::kRetryable,
                        e.what());
  }
}

class Anthropic : public Provider {
 public:
  explicit Anthropic(VendorConfig c) : c_(std::move(c)) {}
  std::string Name() const override { return "anthropic:" + c_.model; }

  std::string Ask(const AskRequest& r) override {
    json content = json::array();
    for (const auto& image : r.images) {
      content.push_back({{"type", "image"},
                         {"source",
                          {{"type", "base64"},
                           {"media_type", image.media_type},
                           {"data", core::Base64Encode(image.bytes)}}}});
    }
    content.push_back({{"type", "text"}, {"text", r.prompt}});
    const json body = {{"model", c_.model},
                       {"max_tokens", r.max_tokens},
                       {"temperature", 0.3},
                       {"messages", json::array({{{"role", "user"}, {"content", content}}})}};
    auto res =
        Post(c_, r, TrimSlash(c_.base_url) + "/v1/messages",
             {"content-type: application/json", "x-api-key: " + c_.api_key, "anthropic-version: 2023-06-01"},
             body.dump());
    return InterpretAnthropic(res.status, res.body, res.retry_after_ms);
  }

 private:
  VendorConfig c_;
};

class OpenAI : public Provider {
 public:
  explicit OpenAI(VendorConfig c) : c_(std::move(c)) {}
  std::string Name() const override { return "openai:" + c_.model; }

  std::string Ask(const AskRequest& r) override {
    json content = json::array({{{"type", "text"}, {"text", r.prompt}}});
    for (const auto& image : r.images) {
      content.push_back(
          {{"type", "image_url"},
           {"image_url",
            {{"url", "data:" + image.media_type + ";base64," + core::Base64Encode(image.bytes)}}}});
    }
    const json body = {{"model", c_.model},
                       {"max_tokens", r.max_tokens},
                       {"temperature", 0.3},
                       {"messages", json::array({{{"role", "user"}, {"content", content}}})}};
    auto res = Post(c_, r, TrimSlash(c_.base_url) + "/chat/completions",
                    {"Content-Type: application/json", "Authorization: Bearer " + c_.api_key}, body.dump());
    return InterpretOpenAI(res.status, res.body, res.retry_after_ms);
  }

 private:
  VendorConfig c_;
};

}  // namespace

std::string InterpretAnthropic(long status, const std::string& body, int64_t retry_after_ms) {
  ThrowForStatus("anthropic", status, body, retry_after_ms);
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object()) throw ProviderError(Kind::kBadOutput, "anthropic: the answer is not JSON");
  if (j.value("stop_reason", "") == "refusal")
    throw ProviderError(Kind::kRefused, "anthropic: the model refused");
  std::string text;
  if (j.contains("content") && j["content"].is_array()) {
    for (const auto& block : j["content"]) {
      if (block.is_object() && block.value("type", "") == "text" && block.contains("text") &&
          block["text"].is_string())
        text += block["text"].get<std::string>();
    }
  }
  if (text.empty()) throw ProviderError(Kind::kBadOutput, "anthropic: the answer has no text");
  return text;
}

std::string InterpretOpenAI(long status, const std::string& body, int64_t retry_after_ms) {
  ThrowForStatus("openai", status, body, retry_after_ms);
  const json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("choices") || !j["choices"].is_array() || j["choices"].empty())
    throw ProviderError(Kind::kBadOutput, "openai: the answer has no choices");
  const json& msg = j["choices"][0].value("message", json::object());
  if (msg.contains("refusal") && msg["refusal"].is_string())
    throw ProviderError(Kind::kRefused, "openai: the model refused");
  if (!msg.contains("content") || !msg["content"].is_string())
    throw ProviderError(Kind::kBadOutput, "openai: the answer has no text");
  return msg["content"].get<std::string>();
}

std::unique_ptr<Provider> MakeAnthropic(VendorConfig config) {
  return std::make_unique<Anthropic>(std::move(config));
}
std::unique_ptr<Provider> MakeOpenAI(VendorConfig config) {
  return std::make_unique<OpenAI>(std::move(config));
}

}  // namespace stepwise::ai
