#include "api/contract.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "core/errors.hpp"

using nlohmann::json;
using stepwise::api::Contract;
using stepwise::api::ParseJson;
using stepwise::api::PathId;
using stepwise::core::Error;

namespace {

const char* kDoc = R"({
  "openapi": "3.1.0",
  "paths": {
    "/api/things": {
      "get": {"operationId": "listThings", "parameters": [
        {"in": "query", "name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
        {"in": "query", "name": "q", "schema": {"type": "string", "maxLength": 10}}]},
      "post": {"operationId": "createThing", "requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Thing"}}}}}
    }
  },
  "components": {"schemas": {"Thing": {"type": "object", "additionalProperties": false, "required": ["code"],
    "properties": {"code": {"type": "string", "maxLength": 8, "pattern": "^[a-z]+$"},
                   "n": {"type": "integer", "minimum": 0, "maximum": 10}}}}}
})";

stepwise::http::Request JsonRequest(std::string body) {
  stepwise::http::Request r;
  r.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  r.body = std::move(body);
  return r;
}

json ErrorsOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.Details().value("errors", json::array());
  }
  ADD_FAILURE() << "expected a validation error";
  return json::array();
}

}  // namespace

TEST(Contract, AcceptsValidBodies) {
  Contract c(kDoc);
  EXPECT_EQ(c.Body("createThing", JsonRequest(R"({"code":"abc","n":3})"))["n"], 3);
}

TEST(Contract, ReportsEachViolationWithAPointer) {
  Contract c(kDoc);
  auto errors = ErrorsOf([&] { c.Body("createThing", JsonRequest(R"({"code":"ABC","n":11,"x":1})")); });
  std::set<std::string> pointers;
  for (const auto& e : errors) pointers.insert(e["pointer"].get<std::string>());
  EXPECT_TRUE(pointers.count("/code"));
  EXPECT_TRUE(pointers.count("/n"));
  EXPECT_TRUE(pointers.count(""));  // the unknown property
}

TEST(Contract, NeverRunsAPatternOnAnOverlongString) {
  Contract c(kDoc);
  // A megabyte against a pattern would overflow std::regex's recursion; the guard skips it.
  auto errors = ErrorsOf(
      [&] { c.Body("createThing", JsonRequest(R"({"code":")" + std::string(1 << 20, 'a') + R"("})")); });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["pointer"], "/code");
}

TEST(Contract, ChecksContentTypeAndJson) {
  Contract c(kDoc);
  auto req = JsonRequest("{}");
  req.headers = {{"Content-Type", "text/plain"}};
  try {
    c.Body("createThing", req);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.Code(), "UNSUPPORTED_MEDIA_TYPE");
  }
  for (const std::string& bad : std::vector<std::string>{
           "{", "{\"code\":\"\xff\"}", std::string(100, '[') + std::string(100, ']'), "[1e400]"}) {
    try {
      c.Body("createThing", JsonRequest(bad));
      FAIL() << bad.substr(0, 20);
    } catch (const Error& e) {
      EXPECT_EQ(e.Code(), "INVALID_JSON");
    }
  }
}

TEST(Contract, ConvertsAndChecksQueryParameters) {
  Contract c(kDoc);
  stepwise::http::Request r;
  EXPECT_EQ(c.Query("listThings", r)["limit"], 50);  // the default
  r.query = {{"limit", "7"}, {"unknown", "x"}};
  EXPECT_EQ(c.Query("listThings", r)["limit"], 7);
  for (const char* bad : {"abc", "0", "201", "1.5", "99999999999999999999"}) {
    r.query = {{"limit", bad}};
    auto errors = ErrorsOf([&] { c.Query("listThings", r); });
    ASSERT_FALSE(errors.empty()) << bad;
    EXPECT_EQ(errors[0]["pointer"], "/query/limit") << bad;
  }
}

TEST(Contract, PathIdsArePositiveSafeIntegers) {
  stepwise::http::Request r;
  r.path_params["id"] = "42";
  EXPECT_EQ(PathId(r, "id"), 42);
  for (const char* bad : {"0", "-1", "abc", "1.5", "007", "+5", "9007199254740992", ""}) {
    r.path_params["id"] = bad;
    EXPECT_THROW(PathId(r, "id"), Error) << bad;
  }
}

TEST(Contract, TheEmbeddedContractLoads) {
  const auto& c = Contract::Embedded();
  EXPECT_NE(c.Json().find("\"openapi\""), std::string::npos);
  EXPECT_NO_THROW(c.ValidateBody("authLogin", json{{"email", "a@b.co"}, {"password", "x"}}));
}

TEST(ParseJson, LimitsDepthButNotStrings) {
  EXPECT_NO_THROW(
      ParseJson(R"({"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})"));
  EXPECT_THROW(ParseJson(std::string(65, '[') + std::string(65, ']')), Error);
  EXPECT_NO_THROW(ParseJson(std::string(64, '[') + std::string(64, ']')));
}
