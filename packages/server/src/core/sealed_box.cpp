#include "core/sealed_box.hpp"

#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <stdexcept>

#include "core/crypto.hpp"

namespace stepwise::core {

namespace {

constexpr size_t kKeySize = 32;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherCtx NewCtx() {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
  return ctx;
}

const unsigned char* U(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* U(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

int Len(size_t n) {
  if (n > static_cast<size_t>(INT_MAX / 2)) throw std::invalid_argument("value too large to seal");
  return static_cast<int>(n);
}

}  // namespace

std::string Aes256GcmSeal(std::string_view key, std::string_view plaintext, std::string_view aad) {
  if (key.size() != kKeySize) throw std::invalid_argument("AES-256-GCM needs a 32-byte key");
  const std::string nonce = RandomBytes(kNonceSize);
  auto ctx = NewCtx();
  std::string out = nonce;
  out.resize(kNonceSize + plaintext.size() + kTagSize);
  int n = 0;
  int total = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, U(key), U(nonce)) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &n, U(aad), Len(aad.size())) != 1))
    throw std::runtime_error("AES-256-GCM init failed");
  unsigned char* body = U(out) + kNonceSize;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), body, &n, U(plaintext), Len(plaintext.size())) != 1)
      throw std::runtime_error("AES-256-GCM encrypt failed");
    total = n;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), body + total, &n) != 1)
    throw std::runtime_error("AES-256-GCM final failed");
  total += n;
  if (static_cast<size_t>(total) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, body + total) != 1)
    throw std::runtime_error("AES-256-GCM tag failed");
  return out;
}

std::optional<std::string> Aes256GcmOpen(std::string_view key, std::string_view sealed,
                                         std::string_view aad) {
  if (key.size() != kKeySize) throw std::invalid_argument("AES-256-GCM needs a 32-byte key");
  if (sealed.size() < kNonceSize + kTagSize) return std::nullopt;
  const auto nonce = sealed.substr(0, kNonceSize);
  const auto body = sealed.substr(kNonceSize, sealed.size() - kNonceSize - kTagSize);
  std::string tag(sealed.substr(sealed.size() - kTagSize));
  auto ctx = NewCtx();
  std::string out(body.size(), '\0');
  int n = 0;
  int total = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, U(key), U(nonce)) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &n, U(aad), Len(aad.size())) != 1))
    throw std::runtime_error("AES-256-GCM init failed");
  if (!body.empty()) {
    if (EVP_DecryptUpdate(ctx.get(), U(out), &n, U(body), Len(body.size())) != 1) return std::nullopt;
    total = n;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, U(tag)) != 1) return std::nullopt;
  if (EVP_DecryptFinal_ex(ctx.get(), U(out) + total, &n) != 1) return std::nullopt;
  out.resize(static_cast<size_t>(total + n));
  return out;
}

KeyRing KeyRing::Parse(std::string_view spec, std::string_view fallback_secret) {
  KeyRing ring;
  if (spec.empty()) {
    ring.current_ = "k0";
    ring.keys_.emplace("k0", HmacSha256(fallback_secret, "stepwise sealed secrets v1"));
    return ring;
  }
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = spec.find(',', start);
    const auto item =
        spec.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    const auto colon = item.find(':');
    if (colon == std::string_view::npos)
      throw std::invalid_argument("CHECK_SESSION_KEYS: each key is id:base64");
    const auto id = item.substr(0, colon);
    if (id.empty() || id.size() > 32 ||
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") !=
            std::string_view::npos)
      throw std::invalid_argument("CHECK_SESSION_KEYS: a key id is 1-32 of A-Z a-z 0-9 _ -");
    const auto key = Base64Decode(item.substr(colon + 1));
    if (!key || key->size() != kKeySize)
      throw std::invalid_argument("CHECK_SESSION_KEYS: key " + std::string(id) +
                                  " is not base64 of 32 bytes");
    if (!ring.keys_.emplace(std::string(id), *key).second)
      throw std::invalid_argument("CHECK_SESSION_KEYS: key id " + std::string(id) + " is used twice");
    if (ring.current_.empty()) ring.current_ = std::string(id);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return ring;
}

Sealed KeyRing::Seal(std::string_view plaintext, std::string_view aad) const {
  return Sealed{current_, Base64Encode(Aes256GcmSeal(keys_.at(current_), plaintext, aad))};
}

std::string KeyRing::Open(const Sealed& sealed, std::string_view aad) const {
  const auto key = keys_.find(sealed.key_id);
  if (key == keys_.end())
    throw std::runtime_error("sealed with key " + sealed.key_id + ", which is not in CHECK_SESSION_KEYS");
  const auto raw = Base64Decode(sealed.data);
  const auto plain = raw ? Aes256GcmOpen(key->second, *raw, aad) : std::nullopt;
  if (!plain) throw std::runtime_error("a sealed value did not open (altered, or stored for something else)");
  return *plain;
}

}  // namespace stepwise::core
