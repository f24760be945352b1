#include "core/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"

namespace stepwise::core {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";
constexpr int64_t kNow = 1'750'000'000;
constexpr int64_t kWeek = int64_t{7} * 86400;

JwtClaims SampleClaims() {
  return JwtClaims{.user_id = 42, .company_id = 7, .role = "admin", .iat = kNow - 60, .exp = kNow + kWeek};
}

JwtClaims SampleClaims(std::string role) {
  JwtClaims claims = SampleClaims();
  claims.role = std::move(role);
  return claims;
}

Json SamplePayload() {
  return Json{{"sub", "42"}, {"company_id", 7}, {"role", "admin"}, {"iat", kNow - 60}, {"exp", kNow + 3600}};
}

std::string HmacSha512(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return {reinterpret_cast<const char*>(mac), len};
}

// A token built by hand from raw JSON text, signed with our own HMAC, not libjwt.
std::string HandMadeToken(const std::string& header, const std::string& payload, std::string_view secret,
                          std::string_view alg = "HS256") {
  const std::string signing_input = Base64UrlEncode(header) + "." + Base64UrlEncode(payload);
  std::string signature;
  if (alg == "HS256") {
    signature = HmacSha256(secret, signing_input);
  }
  if (alg == "HS512") {
    signature = HmacSha512(secret, signing_input);
  }
  return signing_input + "." + Base64UrlEncode(signature);
}

std::string HandMadeToken(const Json& payload, std::string_view secret = kSecret) {
  return HandMadeToken(R"({"alg":"HS256","typ":"JWT"})", payload.dump(), secret);
}

JwtError ErrorOf(const std::variant<JwtClaims, JwtError>& result) {
  if (const auto* error = std::get_if<JwtError>(&result)) {
    return *error;
  }
  ADD_FAILURE() << "token was accepted";
  return JwtError::kMalformed;
}

JwtError ErrorOf(std::string_view token, std::string_view secret = kSecret) {
  return ErrorOf(VerifyJwt(token, secret, kNow));
}

std::vector<std::string> Split(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(token.substr(start, dot - start));
  }
  parts.push_back(token.substr(start));
  return parts;
}

TEST(Jwt, RoundTrip) {
  for (const char* role : {"admin", "regular"}) {
    const JwtClaims claims = SampleClaims(role);
    const auto result = VerifyJwt(IssueJwt(claims, kSecret), kSecret, kNow);
    ASSERT_TRUE(std::holds_alternative<JwtClaims>(result)) << ToString(std::get<JwtError>(result));
    EXPECT_EQ(std::get<JwtClaims>(result), claims);
  }
}

TEST(Jwt, RoundTripLargeIds) {
  JwtClaims claims = SampleClaims();
  claims.user_id = INT64_MAX;
  claims.company_id = INT64_MAX;
  const auto result = VerifyJwt(IssueJwt(claims, kSecret), kSecret, kNow);
  ASSERT_TRUE(std::holds_alternative<JwtClaims>(result));
  EXPECT_EQ(std::get<JwtClaims>(result), claims);
}

TEST(Jwt, IssuedTokenUsesStandardEncoding) {
  const std::string token = IssueJwt(SampleClaims(), kSecret);
  const auto parts = Split(token);
  ASSERT_EQ(parts.size(), 3u);
  const Json header = Json::parse(*Base64UrlDecode(parts[0]));
  EXPECT_EQ(header, Json::parse(R"({"alg":"HS256","typ":"JWT"})"));
  const Json payload = Json::parse(*Base64UrlDecode(parts[1]));
  EXPECT_EQ(payload["sub"], "42");  // a string, as RFC 7519 requires
  EXPECT_EQ(payload["company_id"], 7);
  EXPECT_EQ(payload["role"], "admin");
  EXPECT_EQ(payload["iat"], kNow - 60);
  EXPECT_EQ(payload["exp"], kNow + kWeek);
  // The signature is HMAC-SHA256 over "header.payload", base64url without padding.
  EXPECT_EQ(parts[2], Base64UrlEncode(HmacSha256(kSecret, parts[0] + "." + parts[1])));
}

TEST(Jwt, VerifiesHandMadeToken) {
  const auto result = VerifyJwt(HandMadeToken(SamplePayload()), kSecret, kNow);
  ASSERT_TRUE(std::holds_alternative<JwtClaims>(result)) << ToString(std::get<JwtError>(result));
  const auto& claims = std::get<JwtClaims>(result);
  EXPECT_EQ(claims.user_id, 42);
  EXPECT_EQ(claims.company_id, 7);
  EXPECT_EQ(claims.role, "admin");
  EXPECT_EQ(claims.iat, kNow - 60);
  EXPECT_EQ(claims.exp, kNow + 3600);
}

TEST(Jwt, AcceptsHeaderWithoutTyp) {
  const auto result =
      VerifyJwt(HandMadeToken(R"({"alg":"HS256"})", SamplePayload().dump(), kSecret), kSecret, kNow);
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(result));
}

TEST(Jwt, RejectsTamperedPayload) {
  const auto parts = Split(IssueJwt(SampleClaims("regular"), kSecret));
  Json payload = Json::parse(*Base64UrlDecode(parts[1]));
  payload["role"] = "admin";
  const std::string forged = parts[0] + "." + Base64UrlEncode(payload.dump()) + "." + parts[2];
  EXPECT_EQ(ErrorOf(forged), JwtError::kBadSignature);
}

TEST(Jwt, RejectsTamperedSignature) {
  std::string token = IssueJwt(SampleClaims(), kSecret);
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(ErrorOf(token), JwtError::kBadSignature);
  const auto parts = Split(token);
  EXPECT_EQ(ErrorOf(parts[0] + "." + parts[1] + "."), JwtError::kBadSignature);
}

TEST(Jwt, RejectsWrongSecret) {
  const std::string token = IssueJwt(SampleClaims(), kSecret);
  EXPECT_EQ(ErrorOf(token, "another secret entirely"), JwtError::kBadSignature);
  EXPECT_EQ(ErrorOf(token, std::string(kSecret) + "x"), JwtError::kBadSignature);
}

TEST(Jwt, EmptySecretVerifiesNothing) {
  // libjwt 1.10 skips the signature check when the key length is 0.
  const std::string token = IssueJwt(SampleClaims(), kSecret);
  EXPECT_EQ(ErrorOf(token, ""), JwtError::kBadSignature);
  EXPECT_THROW(IssueJwt(SampleClaims(), ""), std::invalid_argument);
}

TEST(Jwt, RejectsAlgNone) {
  const std::string payload = Base64UrlEncode(SamplePayload().dump());
  for (const char* header : {R"({"alg":"none"})", R"({"alg":"none","typ":"JWT"})", R"({"alg":"None"})",
                             R"({"alg":"NONE"})", R"({"alg":""})"}) {
    const std::string signing_input = Base64UrlEncode(header).append(".").append(payload);
    EXPECT_EQ(ErrorOf(signing_input + "."), JwtError::kWrongAlgorithm) << header;
    // Even with a valid HS256 signature attached.
    const std::string signature = Base64UrlEncode(HmacSha256(kSecret, signing_input));
    EXPECT_EQ(ErrorOf(std::string(signing_input).append(".").append(signature)), JwtError::kWrongAlgorithm)
        << header;
  }
  // Two-segment form, as some libraries emit for "none".
  EXPECT_EQ(ErrorOf(Base64UrlEncode(R"({"alg":"none"})") + "." + payload), JwtError::kMalformed);
}

TEST(Jwt, RejectsHs512SignedWithSameSecret) {
  const std::string token =
      HandMadeToken(R"({"alg":"HS512","typ":"JWT"})", SamplePayload().dump(), kSecret, "HS512");
  EXPECT_EQ(ErrorOf(token), JwtError::kWrongAlgorithm);
}

TEST(Jwt, RejectsOtherAlgorithms) {
  for (const char* alg : {"HS384", "RS256", "ES256", "PS256", "hs256", "HS256 ", "XYZ"}) {
    const std::string header = Json{{"alg", alg}, {"typ", "JWT"}}.dump();
    EXPECT_EQ(ErrorOf(HandMadeToken(header, SamplePayload().dump(), kSecret)), JwtError::kWrongAlgorithm)
        << alg;
  }
}

TEST(Jwt, RejectsBadHeader) {
  const std::string payload = SamplePayload().dump();
  for (const char* header : {R"({"typ":"JWT"})", R"({"alg":256})", R"({"alg":null})", R"(["HS256"])",
                             R"({"alg":"HS256","typ":"JWS"})", R"({"alg":"HS256","typ":1})", "not json"}) {
    EXPECT_EQ(ErrorOf(HandMadeToken(header, payload, kSecret)), JwtError::kMalformed) << header;
  }
}

TEST(Jwt, RejectsExpired) {
  JwtClaims claims = SampleClaims();
  claims.exp = kNow;
  EXPECT_EQ(ErrorOf(IssueJwt(claims, kSecret)), JwtError::kExpired);  // exp == now is expired
  claims.exp = kNow - 1;
  EXPECT_EQ(ErrorOf(IssueJwt(claims, kSecret)), JwtError::kExpired);
  claims.exp = kNow + 1;
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(VerifyJwt(IssueJwt(claims, kSecret), kSecret, kNow)));
}

TEST(Jwt, RejectsMissingClaims) {
  for (const char* name : {"sub", "company_id", "role", "iat", "exp"}) {
    Json payload = SamplePayload();
    payload.erase(name);
    EXPECT_EQ(ErrorOf(HandMadeToken(payload)), JwtError::kMissingClaim) << name;
  }
}

TEST(Jwt, RejectsInvalidSub) {
  const std::vector<Json> bad_subs = {42,
                                      "",
                                      "0",
                                      "01",
                                      "-1",
                                      "+1",
                                      "1e3",
                                      "1.0",
                                      " 1",
                                      "1 ",
                                      "0x1A",
                                      "abc",
                                      "9223372036854775808",   // INT64_MAX + 1
                                      "99999999999999999999",  // overflow
                                      nullptr,
                                      true,
                                      Json::array({1}),
                                      Json::object()};
  for (const Json& sub : bad_subs) {
    Json payload = SamplePayload();
    payload["sub"] = sub;
    EXPECT_EQ(ErrorOf(HandMadeToken(payload)), JwtError::kMissingClaim) << sub.dump();
  }
  Json payload = SamplePayload();
  payload["sub"] = "9223372036854775807";
  const auto result = VerifyJwt(HandMadeToken(payload), kSecret, kNow);
  ASSERT_TRUE(std::holds_alternative<JwtClaims>(result));
  EXPECT_EQ(std::get<JwtClaims>(result).user_id, INT64_MAX);
}

TEST(Jwt, RejectsInvalidCompanyRoleAndTimes) {
  const std::vector<std::pair<const char*, Json>> cases = {
      {"company_id", 0},     {"company_id", -7},    {"company_id", "7"},
      {"company_id", 7.0},   {"company_id", 7.5},   {"company_id", nullptr},
      {"role", "superuser"}, {"role", "Admin"},     {"role", ""},
      {"role", 1},           {"iat", "1750000000"}, {"iat", 1.5},
      {"exp", "4000000000"}, {"exp", 4e9},          {"exp", nullptr},
  };
  for (const auto& [name, value] : cases) {
    Json payload = SamplePayload();
    payload[name] = value;
    EXPECT_EQ(ErrorOf(HandMadeToken(payload)), JwtError::kMissingClaim) << name << "=" << value.dump();
  }
}

TEST(Jwt, RejectsNumbersOutOfRange) {
  // Hand-written JSON: nlohmann would not produce these numbers itself.
  const std::string header = R"({"alg":"HS256","typ":"JWT"})";
  for (const char* payload : {
           R"({"sub":"42","company_id":9223372036854775808,"role":"admin","iat":1,"exp":4000000000})",
           R"({"sub":"42","company_id":18446744073709551616,"role":"admin","iat":1,"exp":4000000000})",
           R"({"sub":"42","company_id":7,"role":"admin","iat":1,"exp":1e400})",
           R"({"sub":"42","company_id":7,"role":"admin","iat":1,"exp":4e9})",
       }) {
    const JwtError error = ErrorOf(HandMadeToken(header, payload, kSecret));
    EXPECT_TRUE(error == JwtError::kMissingClaim || error == JwtError::kMalformed ||
                error == JwtError::kBadSignature)
        << payload << " -> " << ToString(error);
  }
}

TEST(Jwt, RejectsNonObjectPayload) {
  const std::string header = R"({"alg":"HS256","typ":"JWT"})";
  for (const char* payload : {"[]", "42", R"("sub")", "null", "{", ""}) {
    EXPECT_EQ(ErrorOf(HandMadeToken(header, payload, kSecret)), JwtError::kMalformed) << payload;
  }
}

TEST(Jwt, RejectsOversizedToken) {
  Json payload = SamplePayload();
  payload["pad"] = std::string(4000, 'x');
  const std::string token = HandMadeToken(payload);
  ASSERT_GT(token.size(), kMaxJwtBytes);
  EXPECT_EQ(ErrorOf(token), JwtError::kMalformed);
}

TEST(Jwt, GarbageNeverCrashes) {
  const std::string valid = IssueJwt(SampleClaims(), kSecret);
  std::vector<std::string> garbage = {
      "",
      ".",
      "..",
      "...",
      "a.b",
      "a.b.c",
      "a.b.c.d",
      "....",
      "Bearer " + valid,
      valid + ".",
      valid + "=",
      "." + valid,
      std::string(std::size_t{10} * 1024, 'a'),
      std::string(std::size_t{10} * 1024, '.'),
      std::string(4096, 'a'),
      valid.substr(0, valid.size() / 2),
      std::string("eyJ\0hbGciOiJIUzI1NiJ9.e30.", 26),
      std::string(valid).insert(10, 1, '\0'),
      "\xff\xfe\xfd.\x80\x81.\xc0\xc1",
      Base64UrlEncode("\xff\xfe") + "." + Base64UrlEncode("{}") + ".sig",
      Base64UrlEncode(R"({"alg":"HS256"})") + "." + Base64UrlEncode(std::string(3000, '[')) + ".c2ln",
      Base64UrlEncode(R"({"alg":"HS256","alg":"none"})") + "." + Base64UrlEncode("{}") + ".",
  };
  for (const std::string& token : garbage) {
    const auto result = VerifyJwt(token, kSecret, kNow);
    EXPECT_TRUE(std::holds_alternative<JwtError>(result)) << token.substr(0, 80);
  }
  // Every single-character mutation of a valid token is refused.
  const std::string alphabet = "AZaz09-_.=+/ \x01";
  for (std::size_t i = 0; i < valid.size(); ++i) {
    for (char c : alphabet) {
      if (c == valid[i]) {
        continue;
      }
      std::string mutated = valid;
      mutated[i] = c;
      EXPECT_TRUE(std::holds_alternative<JwtError>(VerifyJwt(mutated, kSecret, kNow))) << i << " " << c;
    }
  }
}

TEST(Jwt, IssueRejectsInvalidClaims) {
  JwtClaims claims = SampleClaims();
  claims.user_id = 0;
  EXPECT_THROW(IssueJwt(claims, kSecret), std::invalid_argument);
  claims = SampleClaims();
  claims.company_id = -1;
  EXPECT_THROW(IssueJwt(claims, kSecret), std::invalid_argument);
  EXPECT_THROW(IssueJwt(SampleClaims("owner"), kSecret), std::invalid_argument);
}

TEST(Jwt, SecretMayContainAnyBytes) {
  const std::string secret("k\0e\xffy", 5);
  const std::string token = IssueJwt(SampleClaims(), secret);
  EXPECT_TRUE(std::holds_alternative<JwtClaims>(VerifyJwt(token, secret, kNow)));
  // A NUL in the key must not truncate it.
  EXPECT_EQ(ErrorOf(token, std::string_view("k", 1)), JwtError::kBadSignature);
  const auto parts = Split(token);
  EXPECT_EQ(parts[2], Base64UrlEncode(HmacSha256(secret, parts[0] + "." + parts[1])));
}

TEST(Jwt, ErrorNames) {
  EXPECT_EQ(ToString(JwtError::kMalformed), "malformed");
  EXPECT_EQ(ToString(JwtError::kBadSignature), "bad_signature");
  EXPECT_EQ(ToString(JwtError::kWrongAlgorithm), "wrong_algorithm");
  EXPECT_EQ(ToString(JwtError::kExpired), "expired");
  EXPECT_EQ(ToString(JwtError::kMissingClaim), "missing_claim");
}

}  // namespace
}  // namespace stepwise::core
