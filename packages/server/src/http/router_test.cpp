#include "http/router.hpp"

#include <gtest/gtest.h>

using namespace stepwise::http;

namespace {
Handler Noop() {
  return [](Context&) -> Task<Response> { co_return Response::NoContent(); };
}
}  // namespace

TEST(Router, MatchesTemplatesAndExtractsParams) {
  Router r;
  r.Add("GET", "/api/users/{id}", Access::kAdmin, Noop());
  r.Add("GET", "/api/users", Access::kAdmin, Noop());
  auto m = r.Find("GET", "/api/users/42");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/users/{id}");
  EXPECT_EQ(m.params.at("id"), "42");
  EXPECT_EQ(r.Find("GET", "/api/users").route->pattern, "/api/users");
}

TEST(Router, PrefersLiteralSegments) {
  Router r;
  r.Add("GET", "/api/things/{id}", Access::kUser, Noop());
  r.Add("GET", "/api/things/count", Access::kUser, Noop());
  EXPECT_EQ(r.Find("GET", "/api/things/count").route->pattern, "/api/things/count");
  EXPECT_EQ(r.Find("GET", "/api/things/7").route->pattern, "/api/things/{id}");
}

TEST(Router, ReportsAllowedMethodsForKnownPaths) {
  Router r;
  r.Add("GET", "/api/company", Access::kAdmin, Noop());
  r.Add("PATCH", "/api/company", Access::kAdmin, Noop());
  auto m = r.Find("DELETE", "/api/company");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "PATCH"}));
  auto none = r.Find("GET", "/api/nothing");
  EXPECT_EQ(none.route, nullptr);
  EXPECT_TRUE(none.allowed.empty());
}

TEST(Router, SegmentCountMustMatch) {
  Router r;
  r.Add("GET", "/api/users/{id}", Access::kAdmin, Noop());
  EXPECT_EQ(r.Find("GET", "/api/users/1/extra").route, nullptr);
  EXPECT_EQ(r.Find("GET", "/api").route, nullptr);
}

TEST(Router, RestParameterTakesTheRemainingSegments) {
  Router r;
  r.Add("GET", "/api/blobs/{key+}", Access::kPublic, Noop());
  auto m = r.Find("GET", "/api/blobs/companies/1/screenshots/abc.jpg");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("key"), "companies/1/screenshots/abc.jpg");
  EXPECT_EQ(r.Find("GET", "/api/blobs").route, nullptr);
}
