#include "core/sealed_box.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"

namespace stepwise::core {
namespace {

const std::string kKey(32, 'k');

TEST(SealedBox, RoundTripsAndUsesAFreshNonceEachTime) {
  const auto a = Aes256GcmSeal(kKey, "cookie=abc", "session 1");
  const auto b = Aes256GcmSeal(kKey, "cookie=abc", "session 1");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 12 + 10 + 16u);
  EXPECT_EQ(Aes256GcmOpen(kKey, a, "session 1"), "cookie=abc");
  EXPECT_EQ(Aes256GcmOpen(kKey, Aes256GcmSeal(kKey, "", ""), ""), "");
}

TEST(SealedBox, RefusesAnAlteredValueAnotherAadOrAnotherKey) {
  auto sealed = Aes256GcmSeal(kKey, "secret", "session 1");
  EXPECT_EQ(Aes256GcmOpen(kKey, sealed, "session 2"), std::nullopt);
  EXPECT_EQ(Aes256GcmOpen(std::string(32, 'x'), sealed, "session 1"), std::nullopt);
  sealed[14] = static_cast<char>(sealed[14] ^ 1);
  EXPECT_EQ(Aes256GcmOpen(kKey, sealed, "session 1"), std::nullopt);
  EXPECT_EQ(Aes256GcmOpen(kKey, "short", "session 1"), std::nullopt);
  EXPECT_THROW(Aes256GcmSeal("short key", "x", ""), std::invalid_argument);
}

TEST(KeyRing, TheFirstKeySealsAndEveryKeyOpens) {
  const auto k1 = Base64Encode(std::string(32, '1'));
  const auto k2 = Base64Encode(std::string(32, '2'));
  const auto old_ring = KeyRing::Parse("k1:" + k1, "");
  const auto sealed = old_ring.Seal("v", "aad");
  EXPECT_EQ(sealed.key_id, "k1");
  const auto rotated = KeyRing::Parse("k2:" + k2 + ",k1:" + k1, "");
  EXPECT_EQ(rotated.CurrentId(), "k2");
  EXPECT_EQ(rotated.Open(sealed, "aad"), "v");
  EXPECT_EQ(rotated.Seal("v", "aad").key_id, "k2");
  EXPECT_THROW(KeyRing::Parse("k2:" + k2, "").Open(sealed, "aad"), std::runtime_error);
  EXPECT_THROW(rotated.Open(sealed, "other"), std::runtime_error);
}

TEST(KeyRing, DerivesOneKeyFromTheServerSecretWhenNoneIsSet) {
  const auto a = KeyRing::Parse("", "server secret");
  EXPECT_EQ(a.CurrentId(), "k0");
  EXPECT_EQ(KeyRing::Parse("", "server secret").Open(a.Seal("x", ""), ""), "x");
  EXPECT_THROW(KeyRing::Parse("", "another").Open(a.Seal("x", ""), ""), std::runtime_error);
}

TEST(KeyRing, SaysWhatIsWrongWithASpec) {
  const auto k = Base64Encode(std::string(32, '1'));
  EXPECT_THROW(KeyRing::Parse("nocolon", ""), std::invalid_argument);
  EXPECT_THROW(KeyRing::Parse("k1:" + Base64Encode("short"), ""), std::invalid_argument);
  EXPECT_THROW(KeyRing::Parse("k1:" + k + ",k1:" + k, ""), std::invalid_argument);
  EXPECT_THROW(KeyRing::Parse("bad id:" + k, ""), std::invalid_argument);
  EXPECT_NO_THROW(KeyRing::Parse("a:" + k + ",b:" + k, ""));
}

}  // namespace
}  // namespace stepwise::core
