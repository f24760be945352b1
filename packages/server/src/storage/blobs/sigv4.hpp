#pragma once
// AWS Signature Version 4, as S3 uses it: pure functions of the request, the keys and the clock,
// so that every step can be checked byte for byte against AWS's published vectors and the AWS
// SDK's own signer. S3 rules: the path is URI-encoded once (not normalized, not double-encoded).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stepwise::storage::sigv4 {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" when none
};

struct Request {
  std::string method;          // "GET", "PUT", …
  std::string path;            // raw, not encoded: "/bucket/a b.jpg"; "" means "/"
  Pairs query;                 // raw names and values, any order
  Pairs headers;               // every header to sign, host included; names in any case
  std::string payload_sha256;  // lowercase hex, or "UNSIGNED-PAYLOAD"
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// RFC 3986 percent-encoding as AWS defines it: A-Z a-z 0-9 - _ . ~ kept, everything else as
// %XX (uppercase) of its UTF-8 bytes; '/' kept only when `keep_slash` (paths).
std::string UriEncode(std::string_view s, bool keep_slash);

// "20150830T123600Z" and "20150830" for a Unix time (UTC).
std::string AmzDate(int64_t unix_seconds);
std::string ShortDate(int64_t unix_seconds);

// "20150830/us-east-1/service/aws4_request".
std::string CredentialScope(int64_t unix_seconds, std::string_view region, std::string_view service);

// Lowercase names sorted and joined by ';'.
std::string SignedHeaderList(const Pairs& headers);

// The six lines AWS hashes: method, canonical URI, canonical query, canonical headers, signed
// headers, payload hash.
std::string CanonicalRequest(const Request& request);

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"); raw.
std::string SigningKey(std::string_view secret, std::string_view short_date, std::string_view region,
                       std::string_view service);

// Hex signature of `request` at `unix_seconds`.
std::string Signature(const Request& request, const Credentials& credentials, std::string_view region,
                      std::string_view service, int64_t unix_seconds);

// "AWS4-HMAC-SHA256 Credential=…/scope, SignedHeaders=…, Signature=…". The request's headers
// must already hold x-amz-date (and whatever else is to be signed).
std::string AuthorizationHeader(const Request& request, const Credentials& credentials,
                                std::string_view region, std::string_view service, int64_t unix_seconds);

// Adds what an S3 request signs besides its own headers — x-amz-date, x-amz-content-sha256 (the
// payload hash) and x-amz-security-token when there is a session token — and returns the value
// of the Authorization header. The same steps as the AWS SDK's SignatureV4.sign.
std::string SignRequest(Request& request, const Credentials& credentials, std::string_view region,
                        std::string_view service, int64_t unix_seconds);

// A pre-signed URL "<scheme>://<host><encoded path>?<query>" valid for `expires_seconds`
// (1 s … 7 days). Only the host header is signed; the payload is UNSIGNED-PAYLOAD. `request`
// gives the method, path and extra query parameters (its headers and payload hash are ignored).
// Query parameters come out sorted by name, as the AWS SDK's formatUrl writes them.
std::string PresignedUrl(const Request& request, std::string_view scheme, std::string_view host,
                         const Credentials& credentials, std::string_view region, std::string_view service,
                         int64_t unix_seconds, int64_t expires_seconds);

}  // namespace stepwise::storage::sigv4
