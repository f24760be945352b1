// What people say about healed elements: colleagues' votes (voteHeal) and the admins' heal review
// queue. Both end in the same variant rules (services/variants).
#include "core/errors.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "services/healing.hpp"
#include "services/variants.hpp"
#include "storage/db/repositories.hpp"
#include "storage/db/workflows.hpp"

namespace stepwise::services {

using nlohmann::json;
using storage::HealingRepository;

namespace {

core::Error VariantsFull() {
  return core::Conflict("SELECTOR_VARIANTS_FULL",
                        "This step holds the most selector variants it may, all shared or preferred; reject "
                        "one first");
}

std::string Quoted(const std::string& name) {
  return "\u201c" + core::TruncateUtf8(name, 200, true) + "\u201d";
}

}  // namespace

HealVoteResult HealService::Vote(const Caller& caller, int64_t workflow_id, const HealVoteRequest& request) {
  const storage::HealStep step = VisibleStep(caller, workflow_id, request.step_id);
  if (IsRecordedSelector(step.selectors_json, request.selector))
    throw core::ValidationError("/selector", "is the step's recorded selector: it needs no vote");
  const bool admin = caller.role == "admin";
  const std::string& state = request.page_state_hash;
  HealVoteResult result;
  std::vector<storage::NotificationRecord> notes;
  db_.Transaction([&](soci::session& sql) {
    storage::WorkflowRepository(sql, db_.GetDialect()).FindForUpdate(caller.company_id, step.workflow_id);
    const auto company = storage::CompanyRepository(sql, db_.GetDialect()).FindById(caller.company_id);
    result.required =
        ConfirmationsRequired(company ? company->settings_json : "{}", options_.confirmations_required);
    HealingRepository repo(sql, db_.GetDialect());
    StepVariants variants(sql, db_.GetDialect(), step.workflow_id, step.step_id);
    const int64_t now = core::NowMillis();
    storage::HealVoteRecord vote;
    vote.step_id = step.step_id;
    vote.page_state_hash = state;
    vote.selector = request.selector;
    vote.user_id = caller.user_id;
    vote.vote = request.vote;
    vote.how = request.how;
    vote.admin = admin;
    vote.created_at = now;
    variants.Vote(vote);
    const auto tally = variants.Tally(state, request.selector);
    result.confirmations = tally.confirmations;
    result.rejections = tally.rejections;
    auto variant = variants.Find(request.selector);
    if (request.vote == "confirm") {
      if (!variant) {
        NewVariant nv{request.selector,
                      request.selectors,
                      request.element_meta,
                      "healed",
                      "confirmed",
                      std::nullopt,
                      state,
                      caller.user_id};
        variant = variants.Ensure(nv, "pending", now);
        if (!variant) throw VariantsFull();
      }
      // Enough colleagues, or one admin. Colleagues never revive what was rejected; an admin does.
      const bool enough = admin || tally.confirmations >= result.required;
      if (enough && (variant->status == "pending" || admin) && variants.Share(*variant, now)) {
        const std::string who = admin ? "An admin" : std::to_string(tally.confirmations) + " colleagues";
        if (auto n = notifications_.CreateIn(
                sql,
                NewNotification{caller.company_id, step.workflow_id, "workflow_healed", "info",
                                Quoted(step.workflow_name) + " healed itself",
                                who + " confirmed the element of step " + std::to_string(step.step_number) +
                                    " on a changed page; every walkthrough uses it now.",
                                notifications_.WorkflowUrl(step.workflow_id)}))
          notes.push_back(*n);
      }
      if (variant->status == "shared") {
        repo.ResolvePending(step.step_id, request.selector, state, "approved",
                            admin ? std::optional<int64_t>(caller.user_id) : std::nullopt, now);
        if (admin) repo.Unreject(step.step_id, state, request.selector);
      }
    } else if (admin || tally.rejections >= result.required) {
      // Refused for this page state: never proposed there again (a shared variant stays shared,
      // it is refused only here).
      repo.Reject(step.step_id, state, request.selector, now);
      repo.ForgetDecision(step.step_id, state);
      if (variant) variants.RejectIfPending(*variant);
      repo.ResolvePending(step.step_id, request.selector, state, "rejected",
                          admin ? std::optional<int64_t>(caller.user_id) : std::nullopt, now);
    }
    variants.Touch();
    result.variant = variants.Shown(request.selector);
    if (result.variant) {
      result.status = result.variant->status;
    } else {
      result.status = repo.Rejected(step.step_id, state).count(request.selector) ? "rejected" : "pending";
    }
  });
  AfterWrite(caller.company_id, notes);
  return result;
}

HealService::ReviewPage HealService::Reviews(const Caller& caller, const std::string& status,
                                             std::optional<int64_t> workflow_id, int limit, int offset) {
  return db_.Read([&](soci::session& sql) {
    HealingRepository repo(sql, db_.GetDialect());
    ReviewPage page;
    const auto reviews = repo.Reviews(caller.company_id, status, workflow_id, limit, offset);
    std::vector<int64_t> ids;
    ids.reserve(reviews.size());
    for (const auto& r : reviews) ids.push_back(r.id);
    auto votes = storage::VariantRepository(sql, db_.GetDialect()).ForReviews(ids);
    for (const auto& r : reviews) {
      page.items.push_back({r, repo.Step(r.company_id, r.workflow_id, r.step_id), std::move(votes[r.id])});
    }
    page.total = repo.CountReviews(caller.company_id, status, workflow_id);
    return page;
  });
}

HealReviewView HealService::Decide(const Caller& caller, int64_t review_id, bool approve) {
  HealReviewView out;
  db_.Transaction([&](soci::session& sql) {
    HealingRepository repo(sql, db_.GetDialect());
    auto r = repo.Review(caller.company_id, review_id, false);
    if (!r) throw core::NotFound("HEAL_REVIEW_NOT_FOUND", "Heal review not found");
    storage::WorkflowRepository(sql, db_.GetDialect()).FindForUpdate(caller.company_id, r->workflow_id);
    r = repo.Review(caller.company_id, review_id, true);
    if (!r) throw core::NotFound("HEAL_REVIEW_NOT_FOUND", "Heal review not found");
    if (r->status != "pending")
      throw core::Conflict("HEAL_REVIEW_DECIDED", "This heal was already " + r->status);
    auto step = repo.Step(caller.company_id, r->workflow_id, r->step_id);
    if (!step) throw core::NotFound("HEAL_REVIEW_NOT_FOUND", "The step of this heal is gone");
    StepVariants variants(sql, db_.GetDialect(), r->workflow_id, r->step_id);
    const int64_t now = core::NowMillis();
    const std::string state = r->page_state_hash.value_or("");
    auto variant = variants.Find(r->selector);
    if (approve) {
      // The candidate becomes a shared variant and the preferred one; the recorded selectors and
      // every other variant stay.
      if (!variant && !IsRecordedSelector(step->selectors_json, r->selector)) {
        const json c = json::parse(r->candidate_json, nullptr, false);
        NewVariant nv{r->selector,
                      c.is_object() ? c.value("selectors", json(nullptr)) : json(nullptr),
                      c.is_object() ? c.value("element_meta", json(nullptr)) : json(nullptr),
                      "healed",
                      "approved",
                      r->confidence,
                      r->page_state_hash,
                      caller.user_id};
        variant = variants.Ensure(nv, "shared", now);
        if (!variant) throw VariantsFull();
      }
      if (variant) {
        variants.Share(*variant, now);
        variants.Prefer(*variant);
      }
      if (!state.empty()) repo.Unreject(r->step_id, state, r->selector);
    } else {
      if (!state.empty()) repo.Reject(r->step_id, state, r->selector, now);
      if (variant) variants.RejectIfPending(*variant);
    }
    if (!state.empty()) repo.ForgetDecision(r->step_id, state);
    storage::HealVoteRecord vote;
    vote.step_id = r->step_id;
    vote.page_state_hash = state;
    vote.selector = r->selector;
    vote.user_id = caller.user_id;
    vote.vote = approve ? "confirm" : "reject";
    vote.how = "approved";
    vote.admin = true;
    vote.created_at = now;
    variants.Vote(vote);
    variants.Touch();
    repo.DecideReview(r->id, approve ? "approved" : "rejected", "admin", caller.user_id, now);
    const auto decided = *repo.Review(caller.company_id, review_id, false);
    auto votes = storage::VariantRepository(sql, db_.GetDialect()).ForReviews({decided.id});
    out = {decided, repo.Step(decided.company_id, decided.workflow_id, decided.step_id),
           std::move(votes[decided.id])};
  });
  AfterWrite(caller.company_id, {});
  return out;
}

}  // namespace stepwise::services
