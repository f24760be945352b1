#include "services/workflow_status.hpp"

#include <array>
#include <utility>

#include "core/errors.hpp"

namespace stepwise::services {

namespace {

using S = WorkflowStatus;

constexpr std::array<std::pair<S, const char*>, 6> kNames = {{
    {S::kDraft, "draft"},
    {S::kProcessing, "processing"},
    {S::kNeedsReview, "needs_review"},
    {S::kActive, "active"},
    {S::kBroken, "broken"},
    {S::kArchived, "archived"},
}};

constexpr std::array<std::pair<S, S>, 8> kAllowed = {{
    {S::kDraft, S::kProcessing},        // recorded, labeling starts
    {S::kProcessing, S::kNeedsReview},  // labeled
    {S::kNeedsReview, S::kActive},      // approved and published
    {S::kActive, S::kBroken},           // runs in a row failed
    {S::kBroken, S::kActive},           // a run succeeded again, or an admin says it is fixed
    {S::kActive, S::kNeedsReview},      // an admin takes it back for review
    {S::kBroken, S::kNeedsReview},
    {S::kArchived, S::kNeedsReview},  // restored
}};

}  // namespace

std::optional<WorkflowStatus> ParseWorkflowStatus(std::string_view name) {
  for (const auto& [status, text] : kNames) {
    if (name == text) return status;
  }
  return std::nullopt;
}

const char* ToString(WorkflowStatus status) {
  for (const auto& [s, text] : kNames) {
    if (s == status) return text;
  }
  return "draft";
}

bool IsRunnable(WorkflowStatus status) {
  return status == S::kActive || status == S::kBroken || status == S::kNeedsReview;
}

bool IsRunnable(std::string_view status) {
  const auto s = ParseWorkflowStatus(status);
  return s && IsRunnable(*s);
}

bool TransitionAllowed(WorkflowStatus from, WorkflowStatus to, ChangedBy by) {
  if (from == to || to == S::kArchived) return true;
  // Labels asked for again: the server moves a workflow in review back to processing.
  if (by == ChangedBy::kServer && from == S::kNeedsReview && to == S::kProcessing) return true;
  for (const auto& [a, b] : kAllowed) {
    if (a == from && b == to) return true;
  }
  return false;
}

std::string Transition(std::string_view from, WorkflowStatus to, ChangedBy by) {
  const auto parsed = ParseWorkflowStatus(from);
  if (!parsed || !TransitionAllowed(*parsed, to, by)) {
    const std::string f(from);
    throw core::Error(core::ErrorKind::kConflict, "INVALID_STATUS_TRANSITION",
                      "A workflow cannot go from " + f + " to " + ToString(to),
                      {{"from", f}, {"to", ToString(to)}});
  }
  return ToString(to);
}

}  // namespace stepwise::services
