#include "net/http_client.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <cctype>
#include <memory>
#include <mutex>

namespace stepwise::net {

namespace {

struct Transfer {
  HttpResult res;
  const EgressPolicy* policy = nullptr;
  std::string refused;  // why the open-socket hook refused an address
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->res.body.size() + size * n > t->policy->max_response_bytes) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->res.body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value = line.substr(colon + 1);
  try {
    if (name == "retry-after-ms") {
      t->res.retry_after_ms = static_cast<int64_t>(std::stod(value));
    } else if (name == "retry-after" && t->res.retry_after_ms < 0) {
      t->res.retry_after_ms = static_cast<int64_t>(std::stod(value) * 1000);
    }
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): an HTTP date; ignored
  }
  return size * n;
}

// Every connection curl opens passes here with the address it resolved: the check and the
// connection use the same address, so a second lookup cannot swap it.
curl_socket_t OpenSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN) {
    t->refused = "an unexpected kind of socket";
    return CURL_SOCKET_BAD;
  }
  if (auto why = RefusedAddress(&address->addr, t->policy->allow_private); !why.empty()) {
    t->refused = why;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

}  // namespace

HttpResult PostJson(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                    const EgressPolicy& policy) {
  if (auto why = CheckUrl(url, policy, false); !why.empty())
    throw TransportError(TransportError::Kind::kRefused, "the URL " + why);
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw TransportError(TransportError::Kind::kFailed, "curl_easy_init failed");
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> hold(list, curl_slist_free_all);
  Transfer t;
  t.policy = &policy;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(policy.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(policy.total_timeout_ms));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(policy.max_response_bytes));
  if (!policy.use_env_proxy) curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  const CURLcode rc = curl_easy_perform(c);
  if (!t.refused.empty()) {
    throw TransportError(TransportError::Kind::kRefused, "the destination is " + t.refused);
  }
  if (rc != CURLE_OK) {
    std::string what = rc == CURLE_OPERATION_TIMEDOUT ? "timed out: " : "request failed: ";
    if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) what = "the answer is too large: ";
    throw TransportError(TransportError::Kind::kFailed, what + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t.res.status);
  return std::move(t.res);
}

}  // namespace stepwise::net
