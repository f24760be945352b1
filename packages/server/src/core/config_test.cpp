#include "core/config.hpp"

#include <gtest/gtest.h>

using stepwise::core::Config;
using stepwise::core::ParseEnvFile;

TEST(Config, DefaultsAreTheEmbeddedSetup) {
  const Config c = Config::FromMap({});
  EXPECT_EQ(c.port, 8000);
  EXPECT_EQ(c.database_url, "sqlite:///./app.db");
  EXPECT_EQ(c.rate_limit_user_per_min, 100);
  EXPECT_EQ(c.rate_limit_auth_per_min, 10);
  EXPECT_EQ(c.max_json_body_bytes, 5 * 1024 * 1024);
  EXPECT_EQ(c.bcrypt_cost, 12);
}

TEST(Config, ReadsValues) {
  const Config c = Config::FromMap({{"PORT", "9001"},
                                    {"CORS_ORIGINS", " https://a.example , https://b.example,"},
                                    {"TRUST_PROXY", "true"},
                                    {"RATE_LIMIT_USER_PER_MIN", "0"}});
  EXPECT_EQ(c.port, 9001);
  ASSERT_EQ(c.cors_origins.size(), 2u);
  EXPECT_EQ(c.cors_origins[1], "https://b.example");
  EXPECT_TRUE(c.trust_proxy);
  EXPECT_EQ(c.rate_limit_user_per_min, 0);
}

TEST(Config, RejectsMalformedValuesNamingTheVariable) {
  try {
    Config::FromMap({{"PORT", "80a"}});
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("PORT"), std::string::npos);
  }
  EXPECT_THROW(Config::FromMap({{"BCRYPT_COST", "3"}}), std::invalid_argument);
  EXPECT_THROW(Config::FromMap({{"TRUST_PROXY", "maybe"}}), std::invalid_argument);
}

TEST(Config, ParsesEnvFiles) {
  const auto vars =
      ParseEnvFile("# comment\nexport A=1\nB = 'two words'\nC=\"x#y\"\nD=plain # trailing\nbad line\n");
  EXPECT_EQ(vars.at("A"), "1");
  EXPECT_EQ(vars.at("B"), "two words");
  EXPECT_EQ(vars.at("C"), "x#y");
  EXPECT_EQ(vars.at("D"), "plain");
  EXPECT_EQ(vars.count("bad line"), 0u);
}
