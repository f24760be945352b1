#include "core/jwt.hpp"

#include <jwt.h>

#include <cctype>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"

namespace stepwise::core {

namespace {

using Json = nlohmann::json;

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

// Strings libjwt allocates (jwt_encode_str, jwt_get_grants_json) are released with free().
struct CFree {
  void operator()(char* p) const { std::free(p); }
};
using CStringPtr = std::unique_ptr<char, CFree>;

bool IsValidRole(std::string_view role) { return role == kRoleAdmin || role == kRoleRegular; }

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// A positive int64 written the one canonical way: digits only, no sign, no leading zero.
std::optional<int64_t> ParseSubject(const Json& value) {
  if (!value.is_string()) {
    return std::nullopt;
  }
  const auto& text = value.get_ref<const std::string&>();
  if (text.empty() || text.size() > 19 || text[0] == '0') {
    return std::nullopt;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return std::nullopt;
  }
  return id;
}

// A JSON integer (not a float such as 1.0 or 1e3) that fits in int64.
std::optional<int64_t> ParseInt64(const Json& value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<int64_t>(u);
  }
  if (value.is_number_integer()) {
    return value.get<int64_t>();
  }
  return std::nullopt;
}

std::optional<Json> DecodeJsonObject(std::string_view segment) {
  const auto bytes = Base64UrlDecode(segment);
  if (!bytes) {
    return std::nullopt;
  }
  Json parsed = Json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return std::nullopt;
  }
  return parsed;
}

std::variant<JwtClaims, JwtError> Verify(std::string_view token, std::string_view secret, int64_t now_unix) {
  // Shape: three base64url segments. Checking the characters up front also rules out NUL
  // bytes, which would silently cut the token short when handed to libjwt as a C string.
  if (token.empty() || token.size() > kMaxJwtBytes) {
    return JwtError::kMalformed;
  }
  std::size_t dots = 0;
  for (char c : token) {
    if (c == '.') {
      ++dots;
    } else if (!IsBase64UrlChar(c)) {
      return JwtError::kMalformed;
    }
  }
  if (dots != 2) {
    return JwtError::kMalformed;
  }
  const std::size_t first_dot = token.find('.');
  const std::size_t second_dot = token.find('.', first_dot + 1);
  const std::string_view header_segment = token.substr(0, first_dot);
  const std::string_view payload_segment = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const std::string_view signature_segment = token.substr(second_dot + 1);

  // The header is read here only to report the right error; the decision to trust the token
  // is libjwt's signature check with the key below plus the algorithm check after it.
  const auto header = DecodeJsonObject(header_segment);
  if (!header || !DecodeJsonObject(payload_segment)) {
    return JwtError::kMalformed;
  }
  const auto alg = header->find("alg");
  if (alg == header->end() || !alg->is_string()) {
    return JwtError::kMalformed;
  }
  if (alg->get_ref<const std::string&>() != "HS256") {
    return JwtError::kWrongAlgorithm;
  }
  // libjwt refuses a signed token whose typ is present and not "JWT"; say so precisely.
  if (const auto typ = header->find("typ"); typ != header->end()) {
    if (!typ->is_string()) {
      return JwtError::kMalformed;
    }
    std::string value = typ->get<std::string>();
    for (char& c : value) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    if (value != "JWT") {
      return JwtError::kMalformed;
    }
  }
  if (signature_segment.empty()) {
    return JwtError::kBadSignature;
  }

  // libjwt 1.10 verifies nothing when given no key, and also when given a zero-length key
  // (it then decodes the token as alg "none"). Never call it without a real key.
  if (secret.empty() || secret.size() > static_cast<std::size_t>(INT_MAX)) {
    return JwtError::kBadSignature;
  }

  const std::string token_copy(token);
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, token_copy.c_str(), reinterpret_cast<const unsigned char*>(secret.data()),
                            static_cast<int>(secret.size()));
  JwtPtr jwt(raw);
  if (rc != 0 || !jwt) {
    return JwtError::kBadSignature;
  }
  // Belt and braces: the algorithm libjwt verified with must be HS256 as well.
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) {
    return JwtError::kWrongAlgorithm;
  }

  // Claims come from libjwt's verified object, not from the pre-parse above.
  CStringPtr grants_text(jwt_get_grants_json(jwt.get(), nullptr));
  if (!grants_text) {
    return JwtError::kMalformed;
  }
  const Json grants = Json::parse(grants_text.get(), nullptr, /*allow_exceptions=*/false);
  if (!grants.is_object()) {
    return JwtError::kMalformed;
  }

  auto claim = [&grants](const char* name) -> const Json* {
    const auto it = grants.find(name);
    return it == grants.end() ? nullptr : &*it;
  };
  const Json* sub = claim("sub");
  const Json* company_id = claim("company_id");
  const Json* role = claim("role");
  const Json* iat = claim("iat");
  const Json* exp = claim("exp");
  if (!sub || !company_id || !role || !iat || !exp) {
    return JwtError::kMissingClaim;
  }

  JwtClaims claims;
  const auto user_id_value = ParseSubject(*sub);
  const auto company_id_value = ParseInt64(*company_id);
  const auto iat_value = ParseInt64(*iat);
  const auto exp_value = ParseInt64(*exp);
  if (!user_id_value || !company_id_value || *company_id_value <= 0 || !iat_value || !exp_value ||
      !role->is_string() || !IsValidRole(role->get_ref<const std::string&>())) {
    return JwtError::kMissingClaim;
  }
  claims.user_id = *user_id_value;
  claims.company_id = *company_id_value;
  claims.role = role->get<std::string>();
  claims.iat = *iat_value;
  claims.exp = *exp_value;

  if (claims.exp <= now_unix) {
    return JwtError::kExpired;
  }
  return claims;
}

}  // namespace

std::string_view ToString(JwtError error) {
  switch (error) {
    case JwtError::kMalformed:
      return "malformed";
    case JwtError::kBadSignature:
      return "bad_signature";
    case JwtError::kWrongAlgorithm:
      return "wrong_algorithm";
    case JwtError::kExpired:
      return "expired";
    case JwtError::kMissingClaim:
      return "missing_claim";
  }
  return "unknown";
}

std::string IssueJwt(const JwtClaims& claims, std::string_view secret) {
  if (secret.empty() || secret.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::invalid_argument("JWT secret must not be empty");
  }
  if (claims.user_id <= 0 || claims.company_id <= 0 || !IsValidRole(claims.role)) {
    throw std::invalid_argument("JWT claims are not valid");
  }
  // jwt_add_grant_int takes a long; refuse to truncate on a platform where long is 32-bit.
  static_assert(sizeof(long) >= sizeof(int64_t), "libjwt integer grants need a 64-bit long");

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0 || raw == nullptr) {
    throw std::runtime_error("jwt_new failed");
  }
  JwtPtr jwt(raw);

  const std::string sub = std::to_string(claims.user_id);
  if (jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) != 0 ||
      jwt_add_grant(jwt.get(), "sub", sub.c_str()) != 0 ||
      jwt_add_grant_int(jwt.get(), "company_id", static_cast<long>(claims.company_id)) != 0 ||
      jwt_add_grant(jwt.get(), "role", claims.role.c_str()) != 0 ||
      jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(claims.iat)) != 0 ||
      jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(claims.exp)) != 0) {
    throw std::runtime_error("building the JWT failed");
  }
  CStringPtr encoded(jwt_encode_str(jwt.get()));
  if (!encoded) {
    throw std::runtime_error("jwt_encode_str failed");
  }
  return {encoded.get()};
}

std::variant<JwtClaims, JwtError> VerifyJwt(std::string_view token, std::string_view secret,
                                            int64_t now_unix) noexcept {
  try {
    return Verify(token, secret, now_unix);
  } catch (...) {
    // Allocation failure or an unexpected library error: refuse the token, never propagate.
    return JwtError::kMalformed;
  }
}

}  // namespace stepwise::core
