// Access tokens: JWT (RFC 7519) signed with HS256, through libjwt.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace stepwise::core {

// Tokens longer than this are rejected before any parsing (ours are ~250 bytes).
inline constexpr std::size_t kMaxJwtBytes = 4096;

inline constexpr std::string_view kRoleAdmin = "admin";
inline constexpr std::string_view kRoleRegular = "regular";

struct JwtClaims {
  int64_t user_id = 0;     // "sub", carried as a decimal string as RFC 7519 requires
  int64_t company_id = 0;  // "company_id", integer
  std::string role;        // "role": "admin" or "regular"
  int64_t iat = 0;         // "iat", Unix seconds
  int64_t exp = 0;         // "exp", Unix seconds

  friend bool operator==(const JwtClaims&, const JwtClaims&) = default;
};

enum class JwtError {
  kMalformed,       // not a well-formed JWS compact token (or too long)
  kBadSignature,    // HS256 signature does not verify under the secret
  kWrongAlgorithm,  // header alg is anything but HS256 ("none", HS512, RS256, ...)
  kExpired,         // exp <= now
  kMissingClaim,    // a required claim is absent or has an invalid value
};

// "malformed", "bad_signature", ... for logs.
std::string_view ToString(JwtError error);

// Signs `claims` with HS256 under `secret`. Header {"alg":"HS256","typ":"JWT"}; payload
// sub (string), company_id, role, iat, exp. Throws std::invalid_argument for an empty secret
// or claims VerifyJwt would refuse (non-positive ids, unknown role), std::runtime_error if
// libjwt fails.
std::string IssueJwt(const JwtClaims& claims, std::string_view secret);

// Verifies `token` under `secret` at time `now_unix` and returns its claims. Only HS256 is
// accepted. Checks, in order: size and shape (kMalformed), algorithm (kWrongAlgorithm),
// signature (kBadSignature), claims (kMissingClaim), expiry (kExpired: exp <= now, no leeway;
// every server issuing and checking tokens shares one clock source, and a 7-day token gains
// nothing from a few seconds of grace). An empty secret verifies nothing (kBadSignature).
// Never throws.
std::variant<JwtClaims, JwtError> VerifyJwt(std::string_view token, std::string_view secret,
                                            int64_t now_unix) noexcept;

}  // namespace stepwise::core
