#include "api/etags.hpp"

#include <gtest/gtest.h>

namespace stepwise::api {
namespace {

storage::WorkflowRecord At(int64_t id, int64_t version) {
  storage::WorkflowRecord w;
  w.id = id;
  w.version = version;
  return w;
}

TEST(ExpectedVersionsFrom, NoHeaderOrAStarAcceptsAnyVersion) {
  EXPECT_EQ(ExpectedVersionsFrom("", 5), std::nullopt);
  EXPECT_EQ(ExpectedVersionsFrom("*", 5), std::nullopt);
  EXPECT_EQ(ExpectedVersionsFrom("\"9-1-2-t0-h0\", *", 5), std::nullopt);
}

TEST(ExpectedVersionsFrom, ReadsTheVersionOfThisWorkflowsTags) {
  EXPECT_EQ(ExpectedVersionsFrom(WorkflowETag(At(5, 3)), 5), std::vector<int64_t>{3});
  EXPECT_EQ(ExpectedVersionsFrom("W/\"5-3-1-t0-h0\"", 5), std::vector<int64_t>{3});  // weak: same version
  EXPECT_EQ(ExpectedVersionsFrom(" \"5-3-1-t0-h0\" , \"5-4-1-t2-h1\"", 5), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(ExpectedVersionsFrom("\"5-3-\"", 5), std::vector<int64_t>{3});
}

TEST(ExpectedVersionsFrom, AnotherWorkflowsTagOrGarbageMatchesNothing) {
  const std::vector<int64_t> none;
  EXPECT_EQ(ExpectedVersionsFrom(WorkflowETag(At(6, 3)), 5), none);  // another workflow's
  EXPECT_EQ(ExpectedVersionsFrom("\"garbage\"", 5), none);
  EXPECT_EQ(ExpectedVersionsFrom("\"5-3\"", 5), none);           // no period: not a tag of ours
  EXPECT_EQ(ExpectedVersionsFrom("5-3-1-t0-h0", 5), none);       // unquoted
  EXPECT_EQ(ExpectedVersionsFrom("\"5-x-1\"", 5), none);         // not a number
  EXPECT_EQ(ExpectedVersionsFrom("\"55-3-1-t0-h0\"", 5), none);  // id 55, not 5
  EXPECT_EQ(ExpectedVersionsFrom(" ", 5), none);
  EXPECT_EQ(ExpectedVersionsFrom("\"5-99999999999999999999-1\"", 5), none);  // past int64
}

TEST(WithCurrentETag, NamesTheCurrentTagOfAStaleWorkflow) {
  try {
    WithCurrentETag([]() -> int { throw services::StaleWorkflow(At(5, 4)); });
    FAIL() << "no error";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.Kind(), core::ErrorKind::kPreconditionFailed);
    EXPECT_EQ(e.Code(), "PRECONDITION_FAILED");
    EXPECT_EQ(e.Details().at("current_etag"), WorkflowETag(At(5, 4)));
  }
  EXPECT_EQ(WithCurrentETag([] { return 7; }), 7);
}

}  // namespace
}  // namespace stepwise::api
