// Password hashing with bcrypt ("$2b$") through libxcrypt's thread-safe crypt_rn.
//
// bcrypt is slow on purpose (cost 12 is ~0.2-0.3 s of one core): call these on a worker pool,
// never on an I/O thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace stepwise::core {

inline constexpr int kDefaultBcryptCost = 12;
inline constexpr int kMinBcryptCost = 4;
inline constexpr int kMaxBcryptCost = 31;
// bcrypt only reads the first 72 bytes; longer passwords are refused rather than truncated.
inline constexpr std::size_t kMaxPasswordBytes = 72;

// A "$2b$<cost>$..." hash (60 characters) of `password` with a fresh 16-byte salt from
// OpenSSL. Throws std::invalid_argument when the password is empty, longer than 72 bytes or
// contains a NUL byte, or when cost is outside 4..31; std::runtime_error if hashing fails.
std::string HashPassword(std::string_view password, int cost = kDefaultBcryptCost);

// True when `password` matches a bcrypt hash ($2a$, $2b$ or $2y$). False, never an exception,
// for a wrong password, a malformed or non-bcrypt hash, or a password HashPassword would have
// refused (empty, over 72 bytes, containing NUL).
bool VerifyPassword(std::string_view password, const std::string& hash);

// Takes as long as a VerifyPassword against a hash of this cost, and always fails: use it
// when the account does not exist, so an unknown email costs the same as a wrong password.
// The reference hash for each cost is computed on first use and cached (the first call pays
// for one extra hash; call it once at startup to warm it). Throws std::invalid_argument for a
// cost outside 4..31.
void DummyVerify(int cost = kDefaultBcryptCost);

}  // namespace stepwise::core
