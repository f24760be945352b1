#include "http/server.hpp"

#include <gtest/gtest.h>

using namespace stepwise::http;

TEST(HttpParsing, DecodesPaths) {
  EXPECT_EQ(DecodePath("/api/users/42"), "/api/users/42");
  EXPECT_EQ(DecodePath("/a%20b"), "/a b");
  EXPECT_FALSE(DecodePath("/a%2"));
  EXPECT_FALSE(DecodePath("/a%zz"));
  EXPECT_FALSE(DecodePath("/a%00b"));
}

TEST(HttpParsing, ParsesQueries) {
  auto q = ParseQuery("limit=10&q=a+b%21&flag&empty=");
  EXPECT_EQ(q.find("limit")->second, "10");
  EXPECT_EQ(q.find("q")->second, "a b!");
  EXPECT_EQ(q.find("flag")->second, "");
  EXPECT_EQ(q.count("empty"), 1u);
}

TEST(HttpParsing, KeepsOnlySaneRequestIds) {
  EXPECT_EQ(SaneRequestId("abc-123_X.y"), "abc-123_X.y");
  EXPECT_EQ(SaneRequestId("bad id").size(), 16u);
  EXPECT_EQ(SaneRequestId(std::string(200, 'a')).size(), 16u);
  EXPECT_NE(SaneRequestId(""), SaneRequestId(""));
}
