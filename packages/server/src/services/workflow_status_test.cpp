#include "services/workflow_status.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "core/errors.hpp"

namespace stepwise::services {
namespace {

using S = WorkflowStatus;

TEST(WorkflowStatus, NamesRoundTrip) {
  for (const auto s : {S::kDraft, S::kProcessing, S::kNeedsReview, S::kActive, S::kBroken, S::kArchived}) {
    EXPECT_EQ(ParseWorkflowStatus(ToString(s)), s);
  }
  EXPECT_FALSE(ParseWorkflowStatus("published").has_value());
  EXPECT_FALSE(ParseWorkflowStatus("").has_value());
}

TEST(WorkflowStatus, RunnableAreActiveBrokenAndNeedsReview) {
  EXPECT_TRUE(IsRunnable(S::kActive));
  EXPECT_TRUE(IsRunnable(S::kBroken));
  EXPECT_TRUE(IsRunnable(S::kNeedsReview));
  EXPECT_FALSE(IsRunnable(S::kDraft));
  EXPECT_FALSE(IsRunnable(S::kProcessing));
  EXPECT_FALSE(IsRunnable(S::kArchived));
  EXPECT_TRUE(IsRunnable("broken"));
  EXPECT_FALSE(IsRunnable("nonsense"));
}

// Every pair: the table, and nothing else.
TEST(WorkflowStatus, TransitionTable) {
  const S all[] = {S::kDraft, S::kProcessing, S::kNeedsReview, S::kActive, S::kBroken, S::kArchived};
  const std::set<std::pair<S, S>> allowed = {
      {S::kDraft, S::kProcessing},   {S::kProcessing, S::kNeedsReview}, {S::kNeedsReview, S::kActive},
      {S::kActive, S::kBroken},      {S::kBroken, S::kActive},          {S::kActive, S::kNeedsReview},
      {S::kBroken, S::kNeedsReview}, {S::kArchived, S::kNeedsReview},
  };
  for (const auto from : all) {
    for (const auto to : all) {
      const bool expected = from == to || to == S::kArchived || allowed.count({from, to}) == 1;
      EXPECT_EQ(TransitionAllowed(from, to), expected) << ToString(from) << " -> " << ToString(to);
      // The server may also send a workflow in review back to labeling; nothing else differs.
      const bool by_server = expected || (from == S::kNeedsReview && to == S::kProcessing);
      EXPECT_EQ(TransitionAllowed(from, to, ChangedBy::kServer), by_server)
          << ToString(from) << " -> " << ToString(to);
    }
  }
}

TEST(WorkflowStatus, TransitionThrowsConflictNamingBoth) {
  EXPECT_EQ(Transition("active", S::kBroken), "broken");
  try {
    Transition("draft", S::kActive);
    FAIL() << "draft -> active was allowed";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.Code(), "INVALID_STATUS_TRANSITION");
    EXPECT_EQ(e.Details()["from"], "draft");
    EXPECT_EQ(e.Details()["to"], "active");
  }
  EXPECT_THROW(Transition("nonsense", S::kActive), core::Error);
}

}  // namespace
}  // namespace stepwise::services
