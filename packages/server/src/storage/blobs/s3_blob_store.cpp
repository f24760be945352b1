#include "storage/blobs/s3_blob_store.hpp"

#include <curl/curl.h>

#include <ctime>
#include <mutex>
#include <stdexcept>

#include "core/crypto.hpp"

namespace stepwise::storage {
namespace {

// GET reads whole objects into memory; screenshots are ≤ 10 MB, so anything far larger is wrong.
constexpr size_t kMaxObjectBytes = 64u << 20;
constexpr size_t kMaxErrorBody = 64u << 10;

std::string PercentDecode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) {
        throw std::invalid_argument("STORAGE_URL has a bad percent-escape");
      }
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool ValidBucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  return b.front() != '.' && b.front() != '-' && b.back() != '.' && b.back() != '-';
}

bool ValidHost(std::string_view h) {
  if (h.empty()) return false;
  for (char c : h) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '-' || c == ':' || c == '[' || c == ']')) {
      return false;
    }
  }
  return true;
}

void ParseEndpoint(const std::string& endpoint, S3Config& config) {
  const size_t sep = endpoint.find("://");
  if (sep == std::string::npos)
    throw std::invalid_argument("STORAGE_URL endpoint must be http://host[:port] or https://…");
  config.scheme = endpoint.substr(0, sep);
  if (config.scheme != "http" && config.scheme != "https") {
    throw std::invalid_argument("STORAGE_URL endpoint scheme must be http or https");
  }
  std::string host = endpoint.substr(sep + 3);
  while (!host.empty() && host.back() == '/') host.pop_back();
  if (!ValidHost(host))
    throw std::invalid_argument("STORAGE_URL endpoint has a bad host (no path, user or query allowed)");
  // curl leaves a default port out of the Host header; the signed host must match it.
  const std::string default_port = config.scheme == "https" ? ":443" : ":80";
  if (host.ends_with(default_port)) host.resize(host.size() - default_port.size());
  config.endpoint_host = host;
}

std::once_flag curl_once;

struct CurlEasy {
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  ~CurlEasy() {
    curl_slist_free_all(headers);
    if (h) curl_easy_cleanup(h);
  }
};

struct Sink {
  std::string body;
  size_t limit;
  bool overflow = false;
};

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t bytes = size * n;
  if (sink->body.size() + bytes > sink->limit) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->body.append(data, bytes);
  return bytes;
}

std::string XmlField(const std::string& body, const std::string& tag) {
  const std::string open = "<" + tag + ">";
  const size_t a = body.find(open);
  if (a == std::string::npos) return {};
  const size_t b = body.find("</" + tag + ">", a);
  if (b == std::string::npos) return {};
  return body.substr(a + open.size(), b - a - open.size());
}

class S3BlobStore final : public BlobStore {
 public:
  explicit S3BlobStore(S3Config config) : config_(std::move(config)) {
    std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  void Put(const std::string& key, std::string_view bytes, const std::string& content_type) override {
    Response r =
        Send("PUT", key, bytes, content_type.empty() ? "application/octet-stream" : content_type, false);
    if (r.status / 100 != 2) Fail("PUT", key, r);
  }

  std::optional<std::string> Get(const std::string& key) override {
    Response r = Send("GET", key, {}, {}, false);
    if (MissingObject(r)) return std::nullopt;
    if (r.status / 100 != 2) Fail("GET", key, r);
    return std::move(r.body);
  }

  void Delete(const std::string& key) override {
    Response r = Send("DELETE", key, {}, {}, false);
    if (r.status / 100 != 2 && !MissingObject(r)) Fail("DELETE", key, r);
  }

  bool Exists(const std::string& key) override {
    Response r = Send("HEAD", key, {}, {}, true);
    if (r.status == 404) return false;
    if (r.status / 100 != 2) Fail("HEAD", key, r);
    return true;
  }

  std::string SignedGetUrl(const std::string& key, int64_t now_unix, int ttl_seconds) override {
    sigv4::Request request;
    request.method = "GET";
    request.path = PathOf(key);
    // The AWS SDK's presigner signs this too; keeping it makes our URLs the SDK's, byte for byte.
    request.query = {{"X-Amz-Content-Sha256", std::string(sigv4::kUnsignedPayload)}};
    return sigv4::PresignedUrl(request, config_.scheme, Host(), config_.credentials, config_.region, "s3",
                               now_unix, ttl_seconds);
  }

 private:
  struct Response {
    long status = 0;
    std::string body;
  };

  // A 404 for the key, not for the bucket: a wrong bucket must not look like an empty one.
  static bool MissingObject(const Response& r) {
    return r.status == 404 && XmlField(r.body, "Code") != "NoSuchBucket";
  }

  std::string Host() const {
    return config_.path_style ? config_.endpoint_host : config_.bucket + "." + config_.endpoint_host;
  }

  std::string PathOf(const std::string& key) const {
    if (!IsValidBlobKey(key)) throw std::invalid_argument("invalid blob key");
    std::string path = "/";
    if (config_.path_style) path += config_.bucket + "/";
    if (!config_.prefix.empty()) path += config_.prefix + "/";
    return path + key;
  }

  Response Send(const char* method, const std::string& key, std::string_view body,
                const std::string& content_type, bool head) {
    sigv4::Request request;
    request.method = method;
    request.path = PathOf(key);
    request.headers = {{"host", Host()}};
    if (!content_type.empty()) request.headers.emplace_back("content-type", content_type);
    request.payload_sha256 =
        std::string(request.method == "PUT" ? core::Sha256Hex(body) : sigv4::kEmptySha256);
    const std::string authorization = sigv4::SignRequest(request, config_.credentials, config_.region, "s3",
                                                         static_cast<int64_t>(std::time(nullptr)));

    CurlEasy curl;
    if (!curl.h) throw std::runtime_error("S3: curl_easy_init failed");
    for (const auto& [name, value] : request.headers) {
      curl.headers = curl_slist_append(curl.headers, (name + ": " + value).c_str());
    }
    curl.headers = curl_slist_append(curl.headers, ("Authorization: " + authorization).c_str());
    curl.headers = curl_slist_append(curl.headers, "Expect:");  // no 100-continue round trip
    const std::string url = config_.scheme + "://" + Host() + sigv4::UriEncode(request.path, true);

    Sink sink{{}, head ? 0 : (request.method == "GET" ? kMaxObjectBytes : kMaxErrorBody)};
    curl_easy_setopt(curl.h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.h, CURLOPT_HTTPHEADER, curl.headers);
    curl_easy_setopt(curl.h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.h, CURLOPT_CONNECTTIMEOUT_MS, config_.connect_timeout_ms);
    curl_easy_setopt(curl.h, CURLOPT_TIMEOUT_MS, config_.timeout_ms);
    curl_easy_setopt(curl.h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl.h, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(curl.h, CURLOPT_WRITEDATA, &sink);
    if (head) {
      curl_easy_setopt(curl.h, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT") {
      curl_easy_setopt(curl.h, CURLOPT_CUSTOMREQUEST, "PUT");
      curl_easy_setopt(curl.h, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl.h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    } else if (request.method != "GET") {
      curl_easy_setopt(curl.h, CURLOPT_CUSTOMREQUEST, method);
    }
    const CURLcode rc = curl_easy_perform(curl.h);
    Response response;
    curl_easy_getinfo(curl.h, CURLINFO_RESPONSE_CODE, &response.status);
    if (rc != CURLE_OK) {
      if (sink.overflow && response.status / 100 == 2) {
        throw std::runtime_error("S3 " + std::string(method) + " " + key + ": object larger than the limit");
      }
      if (!(sink.overflow && response.status != 0)) {
        throw std::runtime_error("S3 " + std::string(method) + " " + key + ": " + curl_easy_strerror(rc));
      }
    }
    response.body = std::move(sink.body);
    return response;
  }

  [[noreturn]] void Fail(const char* method, const std::string& key, const Response& r) const {
    std::string code = XmlField(r.body, "Code");
    std::string message = "S3 " + std::string(method) + " " + key + ": HTTP " + std::to_string(r.status);
    if (!code.empty()) message += " " + code;
    const std::string detail = XmlField(r.body, "Message");
    if (!detail.empty()) message += " (" + detail + ")";
    throw std::runtime_error(message);
  }

  S3Config config_;
};

}  // namespace

S3Config ParseS3Url(const std::string& url) {
  constexpr std::string_view kScheme = "s3://";
  if (!url.starts_with(kScheme)) throw std::invalid_argument("STORAGE_URL for S3 must start with s3://");
  std::string rest = url.substr(kScheme.size());
  std::string query;
  if (const size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  S3Config config;
  const size_t slash = rest.find('/');
  config.bucket = rest.substr(0, slash);
  if (!ValidBucket(config.bucket)) {
    throw std::invalid_argument("STORAGE_URL has a bad bucket name (3-63 of a-z 0-9 . -): " + config.bucket);
  }
  if (slash != std::string::npos) {
    std::string prefix = rest.substr(slash + 1);
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    if (!prefix.empty() && !IsValidBlobKey(prefix)) {
      throw std::invalid_argument("STORAGE_URL has a bad prefix (segments of A-Z a-z 0-9 . _ -)");
    }
    config.prefix = prefix;
  }
  std::string endpoint;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string pair = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string name = pair.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : PercentDecode(pair.substr(eq + 1));
    if (name == "endpoint") {
      endpoint = value;
    } else if (name == "region") {
      if (value.empty()) throw std::invalid_argument("STORAGE_URL region is empty");
      for (char c : value) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
          throw std::invalid_argument("STORAGE_URL has a bad region");
        }
      }
      config.region = value;
    } else if (name == "path_style") {
      if (value != "true" && value != "false")
        throw std::invalid_argument("STORAGE_URL path_style must be true or false");
      config.path_style = value == "true";
    } else {
      throw std::invalid_argument("STORAGE_URL has an unknown parameter: " + name);
    }
  }
  if (endpoint.empty()) {
    config.scheme = "https";
    config.endpoint_host = "s3." + config.region + ".amazonaws.com";
  } else {
    ParseEndpoint(endpoint, config);
  }
  if (!config.path_style && config.bucket.find('.') != std::string::npos && config.scheme == "https") {
    // A dotted bucket breaks the wildcard certificate of virtual-hosted style.
    throw std::invalid_argument("STORAGE_URL: a bucket name with dots needs path_style=true over https");
  }
  return config;
}

std::unique_ptr<BlobStore> OpenS3BlobStore(S3Config config) {
  return std::make_unique<S3BlobStore>(std::move(config));
}

}  // namespace stepwise::storage
