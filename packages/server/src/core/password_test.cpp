#include "core/password.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace stepwise::core {
namespace {

// Most tests use the minimum cost: the algorithm is the same, only the rounds differ.
constexpr int kFastCost = 4;

TEST(Password, DefaultCostHashIs2bCost12) {
  const std::string hash = HashPassword("correct horse battery staple");
  EXPECT_EQ(hash.size(), 60u);
  EXPECT_EQ(hash.rfind("$2b$12$", 0), 0u) << hash;
  EXPECT_TRUE(VerifyPassword("correct horse battery staple", hash));
  EXPECT_FALSE(VerifyPassword("correct horse battery stapler", hash));
}

TEST(Password, VerifyTrueAndFalse) {
  const std::string hash = HashPassword("hunter22", kFastCost);
  EXPECT_EQ(hash.rfind("$2b$04$", 0), 0u) << hash;
  EXPECT_TRUE(VerifyPassword("hunter22", hash));
  EXPECT_FALSE(VerifyPassword("hunter23", hash));
  EXPECT_FALSE(VerifyPassword("Hunter22", hash));
  EXPECT_FALSE(VerifyPassword("hunter2", hash));
}

TEST(Password, SaltIsFreshEachTime) {
  const std::string a = HashPassword("same password", kFastCost);
  const std::string b = HashPassword("same password", kFastCost);
  EXPECT_NE(a, b);
  EXPECT_TRUE(VerifyPassword("same password", a));
  EXPECT_TRUE(VerifyPassword("same password", b));
}

// Hashes produced by other implementations: the crypt_blowfish (Openwall) test vectors, also
// used by the python bcrypt test suite; "$2b$" differs from "$2a$" only for passwords over
// 255 bytes, so the same digest verifies under both prefixes.
TEST(Password, VerifiesKnownVectorsFromOtherImplementations) {
  EXPECT_TRUE(VerifyPassword("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  EXPECT_TRUE(VerifyPassword("U*U", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
  EXPECT_TRUE(VerifyPassword("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"));
  EXPECT_TRUE(VerifyPassword("U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a"));
  EXPECT_TRUE(
      VerifyPassword("Kk4DQuMMfZL9o", "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm"));
  EXPECT_FALSE(VerifyPassword("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
}

TEST(Password, MalformedHashIsFalseNotThrow) {
  const std::vector<std::string> bad = {
      "",
      "*0",
      "*1",
      "$2b$",
      "$2b$04$",
      "not a hash at all",
      "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YE",    // one char short
      "$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEmm",  // one char long
      "$2b$99$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm",   // bad cost
      "$2b$03$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm",   // cost below minimum
      "$2b$04$cVWp4XaNU8a4v1uMRum2S!026BWLIoQMD/TXg5uZV.0P.uO8m3YEm",   // bad salt character
      "$2x$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm",   // buggy legacy variant
      "$1$abcdefgh$abcdefghijklmnopqrstuv",                             // MD5-crypt
      "ab01FAX.bQRSU",                                                  // DES
      std::string("$2b$04$cVWp4XaNU8a4v1uMRum2SO\0"
                  "26BWLIoQMD/TXg5uZV.0P.uO8m3YEm",
                  60),
  };
  for (const std::string& hash : bad) {
    EXPECT_FALSE(VerifyPassword("Kk4DQuMMfZL9o", hash)) << hash;
  }
}

TEST(Password, SeventyTwoBytePasswordWorks) {
  const std::string password(72, 'x');
  const std::string hash = HashPassword(password, kFastCost);
  EXPECT_TRUE(VerifyPassword(password, hash));
  std::string other = password;
  other[71] = 'y';
  EXPECT_FALSE(VerifyPassword(other, hash));
  // bcrypt would ignore a 73rd byte; VerifyPassword refuses such input instead.
  EXPECT_FALSE(VerifyPassword(password + "x", hash));
}

TEST(Password, NonAsciiPasswordWorks) {
  const std::string password = "p\xc3\xa4ssw\xc3\xb6rd \xf0\x9f\x94\x91";
  const std::string hash = HashPassword(password, kFastCost);
  EXPECT_TRUE(VerifyPassword(password, hash));
}

TEST(Password, HashRejectsInvalidInput) {
  EXPECT_THROW(HashPassword("", kFastCost), std::invalid_argument);
  EXPECT_THROW(HashPassword(std::string(73, 'x'), kFastCost), std::invalid_argument);
  EXPECT_THROW(HashPassword(std::string("abc\0def", 7), kFastCost), std::invalid_argument);
  EXPECT_THROW(HashPassword("password", 3), std::invalid_argument);
  EXPECT_THROW(HashPassword("password", 32), std::invalid_argument);
}

TEST(Password, EmbeddedNulNeverVerifies) {
  // As a C string "abc\0def" is "abc": it must not match the hash of "abc".
  const std::string hash = HashPassword("abc", kFastCost);
  EXPECT_FALSE(VerifyPassword(std::string("abc\0def", 7), hash));
  EXPECT_FALSE(VerifyPassword("", hash));
}

TEST(Password, DummyVerifyRunsAndRejectsBadCost) {
  DummyVerify(kFastCost);
  DummyVerify(kFastCost);  // cached hash path
  EXPECT_THROW(DummyVerify(3), std::invalid_argument);
}

TEST(Password, ConcurrentUseIsSafe) {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &ok] {
      const std::string password = "thread password " + std::to_string(t);
      const std::string hash = HashPassword(password, kFastCost);
      DummyVerify(5);
      ok[t] = VerifyPassword(password, hash) && !VerifyPassword(password + "!", hash);
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (int t = 0; t < 4; ++t) {
    EXPECT_TRUE(ok[t]) << t;
  }
}

}  // namespace
}  // namespace stepwise::core
