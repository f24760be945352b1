// Cryptographic primitives on top of OpenSSL, plus the encodings that carry their output
// (hex, base64, base64url). Nothing here is hand-rolled crypto: hashing, MACs, randomness and
// constant-time comparison all come from OpenSSL.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace stepwise::core {

inline constexpr std::size_t kSha256Size = 32;

// SHA-256 of `data`.
std::array<unsigned char, kSha256Size> Sha256(std::string_view data);

// SHA-256 of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

// Incremental SHA-256, for data that arrives in pieces (streamed uploads).
// Move-only. FinalHex() ends the computation: after it, Update() and FinalHex() throw
// std::logic_error.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view data);
  std::array<unsigned char, kSha256Size> Final();
  std::string FinalHex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// HMAC-SHA256 of `data` under `key`: 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// HMAC-SHA256 as 64 lowercase hex digits.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// `n` bytes from OpenSSL's CSPRNG. Throws std::runtime_error if the generator fails.
std::string RandomBytes(std::size_t n);

// `bytes` random bytes encoded as base64url without padding (32 bytes -> 43 characters).
std::string RandomToken(std::size_t bytes = 32);

// RFC 4648 section 4 base64, with '=' padding.
std::string Base64Encode(std::string_view data);

// Strict RFC 4648 section 4 decoding: the length must be a multiple of 4, '=' may only appear
// as one or two final characters, no whitespace or other characters, and the unused bits of
// the last character must be zero (one canonical encoding per value). nullopt otherwise.
std::optional<std::string> Base64Decode(std::string_view text);

// RFC 4648 section 5 base64url without padding, as JWT uses it.
std::string Base64UrlEncode(std::string_view data);

// Strict unpadded base64url decoding: rejects '=', characters outside [A-Za-z0-9_-], a length
// of 1 mod 4, and non-zero unused bits. nullopt otherwise.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// True when `a` and `b` are byte-for-byte equal. For equal lengths the time does not depend
// on the content (CRYPTO_memcmp); different lengths return false at once, so only the length
// can leak, which for MACs and hashes is public anyway.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Lowercase hex of `data`.
std::string HexEncode(std::string_view data);

}  // namespace stepwise::core
