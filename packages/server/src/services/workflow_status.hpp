#pragma once
// A workflow's status and the one table of the changes allowed between them. Every change —
// an admin's edit, labeling, health reports — goes through Transition().
//
//   draft ─▶ processing ─▶ needs_review ─▶ active ◀─▶ broken
//                ▲              │  ▲          │          │
//                └─(relabel: the server only)  └──────────┴──────────┘ (re-review)
//   any ─▶ archived ─▶ needs_review
#include <optional>
#include <string>
#include <string_view>

namespace stepwise::services {

enum class WorkflowStatus { kDraft, kProcessing, kNeedsReview, kActive, kBroken, kArchived };

std::optional<WorkflowStatus> ParseWorkflowStatus(std::string_view name);
// The name stored and sent ("needs_review").
const char* ToString(WorkflowStatus status);

// Colleagues may run it and report runs: published (active), broken, or back in review.
bool IsRunnable(WorkflowStatus status);
// The same for a stored name (an unknown name is not runnable).
bool IsRunnable(std::string_view status);

// Who asks for a change: an admin through the API, or the server itself (labeling asked for again
// moves a workflow in review back to processing; only the server does that).
enum class ChangedBy { kAdmin, kServer };

bool TransitionAllowed(WorkflowStatus from, WorkflowStatus to, ChangedBy by = ChangedBy::kAdmin);
// `to` when the table allows from → to; else throws 409 INVALID_STATUS_TRANSITION naming both.
std::string Transition(std::string_view from, WorkflowStatus to, ChangedBy by = ChangedBy::kAdmin);

}  // namespace stepwise::services
