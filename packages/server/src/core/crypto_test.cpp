#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace stepwise::core {
namespace {

std::string Repeat(char c, std::size_t n) {
  std::string out(n, c);
  return out;
}

// FIPS 180-2 appendix B.
TEST(Sha256, PublishedVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, RawDigestMatchesHex) {
  const auto digest = Sha256("abc");
  EXPECT_EQ(HexEncode({reinterpret_cast<const char*>(digest.data()), digest.size()}), Sha256Hex("abc"));
}

TEST(Sha256, HandlesEmbeddedNul) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(Sha256Hex(with_nul), Sha256Hex("a"));
}

TEST(Sha256Hasher, IncrementalMatchesOneShot) {
  // FIPS 180-2 B.3: one million 'a', fed in uneven pieces.
  Sha256Hasher hasher;
  const std::string chunk = Repeat('a', 999);
  std::size_t fed = 0;
  while (fed + chunk.size() <= 1000000) {
    hasher.Update(chunk);
    fed += chunk.size();
  }
  hasher.Update(Repeat('a', 1000000 - fed));
  EXPECT_EQ(hasher.FinalHex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Hasher, EmptyInputAndEmptyUpdates) {
  Sha256Hasher hasher;
  hasher.Update("");
  EXPECT_EQ(hasher.FinalHex(), Sha256Hex(""));
}

TEST(Sha256Hasher, UseAfterFinalThrows) {
  Sha256Hasher hasher;
  hasher.Update("abc");
  const auto digest = hasher.Final();
  EXPECT_EQ(digest, Sha256("abc"));
  EXPECT_THROW(hasher.Update("x"), std::logic_error);
  EXPECT_THROW(hasher.FinalHex(), std::logic_error);
}

TEST(Sha256Hasher, Movable) {
  Sha256Hasher a;
  a.Update("ab");
  Sha256Hasher b = std::move(a);
  b.Update("c");
  EXPECT_EQ(b.FinalHex(), Sha256Hex("abc"));
}

// RFC 4231 section 4.
TEST(HmacSha256, Rfc4231Case1) {
  EXPECT_EQ(HmacSha256Hex(Repeat('\x0b', 20), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, Rfc4231Case2) {
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, Rfc4231Case6LongKey) {
  EXPECT_EQ(HmacSha256Hex(Repeat('\xaa', 131), "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, EmptyKeyAndData) {
  EXPECT_EQ(HmacSha256Hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256, RawIs32BytesMatchingHex) {
  const std::string mac = HmacSha256("Jefe", "what do ya want for nothing?");
  ASSERT_EQ(mac.size(), 32u);
  EXPECT_EQ(HexEncode(mac), HmacSha256Hex("Jefe", "what do ya want for nothing?"));
}

TEST(Random, BytesHaveRequestedLength) {
  EXPECT_EQ(RandomBytes(0), "");
  EXPECT_EQ(RandomBytes(1).size(), 1u);
  EXPECT_EQ(RandomBytes(100000).size(), 100000u);
}

TEST(Random, TokenLengthCharsetAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = RandomToken();
    ASSERT_EQ(token.size(), 43u);  // 32 bytes, base64url, no padding
    for (char c : token) {
      ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << token;
    }
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(RandomToken(16).size(), 22u);
  EXPECT_EQ(Base64UrlDecode(RandomToken(16))->size(), 16u);
}

// RFC 4648 section 10.
TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(Base64Decode(""), "");
}

TEST(Base64, RoundTripsAllByteValuesAndLengths) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all.push_back(static_cast<char>(i));
  }
  for (std::size_t len = 0; len <= all.size(); ++len) {
    const std::string data = all.substr(all.size() - len);
    ASSERT_EQ(Base64Decode(Base64Encode(data)), data) << len;
    ASSERT_EQ(Base64UrlDecode(Base64UrlEncode(data)), data) << len;
  }
}

TEST(Base64, StandardAlphabetUsesPlusAndSlash) {
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64, DecodeRejectsBadInput) {
  EXPECT_EQ(Base64Decode("Zg"), std::nullopt);     // missing padding
  EXPECT_EQ(Base64Decode("Zg="), std::nullopt);    // short padding
  EXPECT_EQ(Base64Decode("Zg==="), std::nullopt);  // too much padding
  EXPECT_EQ(Base64Decode("Z==="), std::nullopt);   // three '='
  EXPECT_EQ(Base64Decode("===="), std::nullopt);
  EXPECT_EQ(Base64Decode("Zg==Zg=="), std::nullopt);  // padding in the middle
  EXPECT_EQ(Base64Decode("Zm=v"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9v\n"), std::nullopt);  // whitespace
  EXPECT_EQ(Base64Decode("Zm 9v"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm9-"), std::nullopt);  // url alphabet
  EXPECT_EQ(Base64Decode("Zm9_"), std::nullopt);
  EXPECT_EQ(Base64Decode(std::string("Zm9\0", 4)), std::nullopt);
  EXPECT_EQ(Base64Decode("Zh=="), std::nullopt);  // non-zero unused bits ("Zg==" is canonical)
  EXPECT_EQ(Base64Decode("Zm9="), std::nullopt);  // non-zero unused bits ("Zm8=" is canonical)
}

TEST(Base64Url, DecodeRejectsBadInput) {
  EXPECT_EQ(Base64UrlDecode("Zg"), "f");
  EXPECT_EQ(Base64UrlDecode("Zg=="), std::nullopt);  // padding not allowed
  EXPECT_EQ(Base64UrlDecode("Z"), std::nullopt);     // impossible length
  EXPECT_EQ(Base64UrlDecode("Zm9+"), std::nullopt);  // standard alphabet
  EXPECT_EQ(Base64UrlDecode("Zm9/"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm.v"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zh"), std::nullopt);  // non-zero unused bits
}

TEST(ConstantTimeEquals, ComparesBytes) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
  EXPECT_TRUE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST(HexEncode, Lowercase) {
  EXPECT_EQ(HexEncode(""), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
}

}  // namespace
}  // namespace stepwise::core
