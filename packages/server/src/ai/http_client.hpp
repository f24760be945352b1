#pragma once
// One HTTPS/HTTP POST with libcurl, with a connect and a total timeout.
#include <cstdint>
#include <string>
#include <vector>

namespace stepwise::ai {

struct HttpResult {
  long status = 0;
  std::string body;
  int64_t retry_after_ms = -1;  // from retry-after-ms or retry-after (seconds), when sent
};

// Throws ProviderError kRetryable on a timeout or a connection failure.
HttpResult PostJson(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                    int64_t connect_timeout_ms, int64_t total_timeout_ms);

}  // namespace stepwise::ai
