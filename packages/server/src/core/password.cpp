#include "core/password.hpp"

#include <crypt.h>
#include <openssl/crypto.h>

#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "core/crypto.hpp"

namespace stepwise::core {

namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kBcryptHashLength = 60;

// struct crypt_data is ~32 KB: too big for coroutine and worker stacks, so it lives on the
// heap. It holds a copy of the passphrase, which is wiped before the memory is released.
struct CryptDataDeleter {
  void operator()(crypt_data* data) const {
    OPENSSL_cleanse(data, sizeof(*data));
    delete data;
  }
};
using CryptDataPtr = std::unique_ptr<crypt_data, CryptDataDeleter>;

// Value-initialised, as crypt_rn requires for a fresh crypt_data.
CryptDataPtr NewCryptData() { return CryptDataPtr(new crypt_data()); }

bool IsAcceptablePassword(std::string_view password) {
  return !password.empty() && password.size() <= kMaxPasswordBytes &&
         password.find('\0') == std::string_view::npos;
}

bool IsValidCost(int cost) { return cost >= kMinBcryptCost && cost <= kMaxBcryptCost; }

bool LooksLikeBcrypt(const std::string& hash) {
  if (hash.size() != kBcryptHashLength) {
    return false;
  }
  const std::string_view prefix(hash.data(), 4);
  return prefix == "$2b$" || prefix == "$2a$" || prefix == "$2y$";
}

}  // namespace

std::string HashPassword(std::string_view password, int cost) {
  if (!IsAcceptablePassword(password)) {
    throw std::invalid_argument("password must be 1..72 bytes without NUL");
  }
  if (!IsValidCost(cost)) {
    throw std::invalid_argument("bcrypt cost must be 4..31");
  }

  const std::string salt = RandomBytes(kSaltBytes);
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), salt.data(), static_cast<int>(salt.size()),
                       setting, sizeof(setting)) == nullptr) {
    throw std::runtime_error("crypt_gensalt_rn failed");
  }

  const std::string phrase(password);  // NUL-terminated copy for the C API.
  auto data = NewCryptData();
  const char* hashed = crypt_rn(phrase.c_str(), setting, data.get(), sizeof(crypt_data));
  if (hashed == nullptr || hashed[0] == '*') {
    throw std::runtime_error("crypt_rn failed");
  }
  std::string result(hashed);
  if (result.size() != kBcryptHashLength) {
    throw std::runtime_error("crypt_rn returned an unexpected hash");
  }
  return result;
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  try {
    if (!IsAcceptablePassword(password) || !LooksLikeBcrypt(hash)) {
      return false;
    }
    const std::string phrase(password);
    auto data = NewCryptData();
    // The stored hash is the setting: crypt reads algorithm, cost and salt from its prefix.
    const char* hashed = crypt_rn(phrase.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
    // crypt_rn returns null on failure; the "*0"/"*1" failure tokens are checked too, though
    // they could never equal a 60-character bcrypt hash anyway.
    if (hashed == nullptr || hashed[0] == '*') {
      return false;
    }
    return ConstantTimeEquals(hashed, hash);
  } catch (...) {
    return false;
  }
}

void DummyVerify(int cost) {
  if (!IsValidCost(cost)) {
    throw std::invalid_argument("bcrypt cost must be 4..31");
  }

  static std::mutex mutex;
  static std::map<int, std::string> hashes;  // cost -> hash of a random password
  std::string hash;
  {
    std::lock_guard lock(mutex);
    if (auto it = hashes.find(cost); it != hashes.end()) {
      hash = it->second;
    }
  }
  if (hash.empty()) {
    // Hashed outside the lock so a slow first call does not serialise every thread; if two
    // threads race here both hashes are equally good and the first one stored is kept.
    std::string computed = HashPassword(RandomToken(32), cost);
    std::lock_guard lock(mutex);
    hash = hashes.emplace(cost, std::move(computed)).first->second;
  }
  // A different random password: the result is false (barring a 2^-184 collision) and ignored.
  static_cast<void>(VerifyPassword(RandomToken(32), hash));
}

}  // namespace stepwise::core
