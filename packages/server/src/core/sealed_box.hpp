#pragma once
// Secrets stored at rest (saved check sessions, replay values): AES-256-GCM from OpenSSL with a
// random 96-bit nonce per message, and a key ring so that keys can be rotated. A sealed value
// records the id of the key that sealed it; the first key of the ring seals, every key opens.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace stepwise::core {

// nonce (12) ‖ ciphertext ‖ tag (16). `aad` is authenticated, not stored: the same `aad` must be
// given to open (it binds a sealed value to where it is stored, e.g. "check session 7 origin …").
std::string Aes256GcmSeal(std::string_view key, std::string_view plaintext, std::string_view aad);
// nullopt when the key, the aad or any byte differs (the tag does not verify) or it is too short.
std::optional<std::string> Aes256GcmOpen(std::string_view key, std::string_view sealed, std::string_view aad);

struct Sealed {
  std::string key_id;
  std::string data;  // base64 of Aes256GcmSeal's output
};

class KeyRing {
 public:
  // "id:base64,…" (each key 32 bytes; ids [A-Za-z0-9_-], 1-32 characters, unique). An empty spec
  // gives one key, id "k0", derived from `fallback_secret` (HMAC-SHA256 with a fixed label).
  // Throws std::invalid_argument naming what is wrong.
  static KeyRing Parse(std::string_view spec, std::string_view fallback_secret);

  Sealed Seal(std::string_view plaintext, std::string_view aad) const;
  // Throws std::runtime_error when the key id is unknown (removed from the ring) or the value does
  // not open (tampered, other aad).
  std::string Open(const Sealed& sealed, std::string_view aad) const;
  const std::string& CurrentId() const { return current_; }

 private:
  std::map<std::string, std::string, std::less<>> keys_;
  std::string current_;
};

}  // namespace stepwise::core
