#include "storage/blobs/sigv4.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <stdexcept>

#include "core/crypto.hpp"
#include "core/text.hpp"

namespace stepwise::storage::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// Trim, and collapse runs of whitespace into one space (as the SDK does: /\s+/g → " ").
std::string CanonicalHeaderValue(std::string_view v) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (char c : v) {
    if (space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// name → values in the order given (duplicates are joined by ',').
std::map<std::string, std::vector<std::string>> HeaderMap(const Pairs& headers) {
  std::map<std::string, std::vector<std::string>> map;
  for (const auto& [name, value] : headers)
    map[core::AsciiLower(name)].push_back(CanonicalHeaderValue(value));
  return map;
}

std::string CanonicalQuery(const Pairs& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query)
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::tm Utc(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) throw std::invalid_argument("sigv4: time out of range");
  return tm;
}

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string AmzDate(int64_t unix_seconds) {
  std::tm tm = Utc(unix_seconds);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string ShortDate(int64_t unix_seconds) { return AmzDate(unix_seconds).substr(0, 8); }

std::string CredentialScope(int64_t unix_seconds, std::string_view region, std::string_view service) {
  std::string scope = ShortDate(unix_seconds);
  scope += '/';
  scope += region;
  scope += '/';
  scope += service;
  scope += "/aws4_request";
  return scope;
}

std::string SignedHeaderList(const Pairs& headers) {
  std::string out;
  for (const auto& entry : HeaderMap(headers)) {
    if (!out.empty()) out += ';';
    out += entry.first;
  }
  return out;
}

std::string CanonicalRequest(const Request& request) {
  std::string out = request.method;
  out += '\n';
  out += request.path.empty() ? std::string("/") : UriEncode(request.path, true);
  out += '\n';
  out += CanonicalQuery(request.query);
  out += '\n';
  const auto headers = HeaderMap(request.headers);
  for (const auto& [name, values] : headers) {
    out += name;
    out += ':';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      out += values[i];
    }
    out += '\n';
  }
  out += '\n';
  out += SignedHeaderList(request.headers);
  out += '\n';
  out += request.payload_sha256;
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += core::Sha256Hex(canonical_request);
  return out;
}

std::string SigningKey(std::string_view secret, std::string_view short_date, std::string_view region,
                       std::string_view service) {
  std::string k = "AWS4";
  k += secret;
  k = core::HmacSha256(k, short_date);
  k = core::HmacSha256(k, region);
  k = core::HmacSha256(k, service);
  return core::HmacSha256(k, "aws4_request");
}

std::string Signature(const Request& request, const Credentials& credentials, std::string_view region,
                      std::string_view service, int64_t unix_seconds) {
  const std::string sts = StringToSign(AmzDate(unix_seconds), CredentialScope(unix_seconds, region, service),
                                       CanonicalRequest(request));
  return core::HmacSha256Hex(
      SigningKey(credentials.secret_access_key, ShortDate(unix_seconds), region, service), sts);
}

std::string AuthorizationHeader(const Request& request, const Credentials& credentials,
                                std::string_view region, std::string_view service, int64_t unix_seconds) {
  std::string out(kAlgorithm);
  out += " Credential=";
  out += credentials.access_key_id;
  out += '/';
  out += CredentialScope(unix_seconds, region, service);
  out += ", SignedHeaders=";
  out += SignedHeaderList(request.headers);
  out += ", Signature=";
  out += Signature(request, credentials, region, service, unix_seconds);
  return out;
}

std::string SignRequest(Request& request, const Credentials& credentials, std::string_view region,
                        std::string_view service, int64_t unix_seconds) {
  // Headers the signer generates replace any the caller set.
  auto generated = [](const std::string& name) {
    const std::string l = core::AsciiLower(name);
    return l == "x-amz-date" || l == "authorization" || l == "date";
  };
  std::erase_if(request.headers, [&](const auto& h) { return generated(h.first); });
  request.headers.emplace_back("x-amz-date", AmzDate(unix_seconds));
  if (!credentials.session_token.empty()) {
    std::erase_if(request.headers,
                  [](const auto& h) { return core::AsciiLower(h.first) == "x-amz-security-token"; });
    request.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  const bool has_sha = std::any_of(request.headers.begin(), request.headers.end(), [](const auto& h) {
    return core::AsciiLower(h.first) == "x-amz-content-sha256";
  });
  if (!has_sha) request.headers.emplace_back("x-amz-content-sha256", request.payload_sha256);
  return AuthorizationHeader(request, credentials, region, service, unix_seconds);
}

std::string PresignedUrl(const Request& request, std::string_view scheme, std::string_view host,
                         const Credentials& credentials, std::string_view region, std::string_view service,
                         int64_t unix_seconds, int64_t expires_seconds) {
  if (expires_seconds < 1 || expires_seconds > 7 * 24 * 3600) {
    throw std::invalid_argument("sigv4: a pre-signed URL lives between 1 second and 7 days");
  }
  Request signed_request;
  signed_request.method = request.method;
  signed_request.path = request.path;
  signed_request.query = request.query;
  signed_request.headers = {{"host", std::string(host)}};
  signed_request.payload_sha256 = std::string(kUnsignedPayload);
  auto& q = signed_request.query;
  if (!credentials.session_token.empty()) q.emplace_back("X-Amz-Security-Token", credentials.session_token);
  q.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
  q.emplace_back("X-Amz-Credential",
                 credentials.access_key_id + "/" + CredentialScope(unix_seconds, region, service));
  q.emplace_back("X-Amz-Date", AmzDate(unix_seconds));
  q.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  q.emplace_back("X-Amz-SignedHeaders", "host");
  const std::string signature = Signature(signed_request, credentials, region, service, unix_seconds);
  q.emplace_back("X-Amz-Signature", signature);
  // The AWS SDK's formatUrl writes parameters sorted by raw name (stable for equal names).
  std::stable_sort(q.begin(), q.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string url(scheme);
  url += "://";
  url += host;
  url += signed_request.path.empty() ? std::string("/") : UriEncode(signed_request.path, true);
  char sep = '?';
  for (const auto& [name, value] : q) {
    url += sep;
    url += UriEncode(name, false);
    url += '=';
    url += UriEncode(value, false);
    sep = '&';
  }
  return url;
}

}  // namespace stepwise::storage::sigv4
