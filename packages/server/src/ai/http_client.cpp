#include "ai/http_client.hpp"

#include <curl/curl.h>

#include <cctype>
#include <memory>
#include <mutex>

#include "ai/labeler.hpp"

namespace stepwise::ai {

namespace {

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->size() > 8 * 1024 * 1024) return 0;  // no sane answer is this large: abort
  out->append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* res = static_cast<HttpResult*>(user);
  std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value = line.substr(colon + 1);
  try {
    if (name == "retry-after-ms") {
      res->retry_after_ms = static_cast<int64_t>(std::stod(value));
    } else if (name == "retry-after" && res->retry_after_ms < 0) {
      res->retry_after_ms = static_cast<int64_t>(std::stod(value) * 1000);
    }
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): an HTTP date; ignored
  }
  return size * n;
}

}  // namespace

HttpResult PostJson(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                    int64_t connect_timeout_ms, int64_t total_timeout_ms) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw ProviderError(ProviderError::Kind::kRetryable, "curl_easy_init failed");
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> hold(list, curl_slist_free_all);
  HttpResult res;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(total_timeout_ms));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &res.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &res);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    throw ProviderError(ProviderError::Kind::kRetryable,
                        std::string(rc == CURLE_OPERATION_TIMEDOUT ? "timed out: " : "request failed: ") +
                            curl_easy_strerror(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res.status);
  return res;
}

}  // namespace stepwise::ai
