#include "services/healing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "core/crypto.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "services/images.hpp"
#include "services/variants.hpp"
#include "services/workflow_status.hpp"
#include "storage/db/workflows.hpp"

namespace stepwise::services {

using nlohmann::json;
using storage::HealingRepository;

namespace {

std::string Text(const json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_string()) return {};
  return core::TruncateUtf8(core::CollapseSpace(obj[key].get<std::string>()), 120, true);
}

std::string Describe(const json& meta) {
  std::string label = Text(meta, "label_text");
  if (label.empty()) label = Text(meta, "accessible_name");
  if (label.empty()) label = Text(meta, "aria_label");
  if (label.empty()) label = Text(meta, "inner_text");
  if (label.empty()) label = Text(meta, "placeholder");
  std::string out = Text(meta, "tag_name");
  if (auto role = Text(meta, "role"); !role.empty()) out += " (role " + role + ")";
  out += " - \"" + label + "\"";
  if (auto near = Text(meta, "nearby_text"); !near.empty()) out += ", near \"" + near + "\"";
  return out;
}

// The decision kept 24 h for the page state (what every later asker is told).
json DecisionJson(const HealDecision& d) {
  return {{"found", d.found},
          {"selector", d.selector ? json(*d.selector) : json(nullptr)},
          {"confidence", d.confidence},
          {"method", d.method},
          {"review_id", d.review_id ? json(*d.review_id) : json(nullptr)},
          {"ask_user", d.ask_user}};
}

json Parse(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return json::parse(*text, nullptr, false);
}

std::string Quoted(const std::string& name) {
  return "\u201c" + core::TruncateUtf8(name, 200, true) + "\u201d";
}

std::string Percent(double confidence) {
  return std::to_string(static_cast<int>(std::lround(confidence * 100)));
}

// The notification for a variant that became shared by a heal.
NewNotification HealedNote(const Caller& caller, const storage::HealStep& step, double confidence,
                           const std::string& url) {
  return NewNotification{caller.company_id,
                         step.workflow_id,
                         "workflow_healed",
                         "info",
                         Quoted(step.workflow_name) + " healed itself",
                         "Step " + std::to_string(step.step_number) + " found its element again (" +
                             Percent(confidence) + "% sure).",
                         url};
}

}  // namespace

std::string BuildHealPrompt(const json& original, const std::vector<HealCandidate>& candidates) {
  std::string p =
      "You are helping an in-page guide find a button or field again after the web app changed.\n"
      "The first image is the page when the step was recorded; the second (if present) is the page now.\n\n"
      "ORIGINAL ELEMENT:\n";
  p += "- Tag: " + Text(original, "tag_name") + "\n";
  p += "- Label: " + Text(original, "label_text") + "\n";
  p += "- Accessible name: " + Text(original, "accessible_name") + "\n";
  p += "- Text: " + Text(original, "inner_text") + "\n";
  p += "- Nearby: " + Text(original, "nearby_text") + "\n\nCANDIDATES:\n";
  for (size_t i = 0; i < candidates.size(); ++i) {
    p += std::to_string(i + 1) + ". " + Describe(candidates[i].element_meta) +
         " (score: " + std::to_string(static_cast<int>(std::lround(candidates[i].score))) + ")\n";
  }
  p += "\nWhich candidate matches the original element?\n\nRESPOND IN JSON:\n{\n  \"found\": true/false,\n"
       "  \"candidate_index\": 1-" +
       std::to_string(candidates.size()) + " or null,\n  \"confidence\": 0.0-1.0,\n  \"reason\": \"...\"\n}";
  return p;
}

json HealDecisionJson(const HealDecision& d) {
  return {{"found", d.found},
          {"selector", d.selector ? json(*d.selector) : json(nullptr)},
          {"confidence", d.confidence},
          {"method", d.method},
          {"should_update", d.should_update},
          {"candidate_index", d.candidate_index ? json(*d.candidate_index) : json(nullptr)},
          {"review_id", d.review_id ? json(*d.review_id) : json(nullptr)},
          {"ask_user", d.ask_user},
          {"scope", d.scope},
          {"variant_id", d.variant_id ? json(*d.variant_id) : json(nullptr)}};
}

std::optional<AiAnswer> ParseHealAnswer(std::string_view text, size_t candidates) {
  std::vector<std::string> tries{std::string(text)};
  if (auto a = text.find('{'), b = text.rfind('}');
      a != std::string_view::npos && b != std::string_view::npos && b > a)
    tries.emplace_back(text.substr(a, b - a + 1));
  for (const auto& t : tries) {
    auto j = json::parse(t, nullptr, false);
    if (!j.is_object() || !j.contains("found") || !j["found"].is_boolean()) continue;
    if (!j.contains("confidence") || !j["confidence"].is_number()) return std::nullopt;
    double c = j["confidence"].get<double>();
    if (c > 1.0) c /= 100.0;
    c = std::clamp(c, 0.0, 1.0);
    if (!j["found"].get<bool>()) return AiAnswer{std::nullopt, c};
    if (!j.contains("candidate_index") || !j["candidate_index"].is_number_integer()) return std::nullopt;
    const int idx = j["candidate_index"].get<int>();
    if (idx < 1 || static_cast<size_t>(idx) > candidates) return std::nullopt;
    return AiAnswer{idx - 1, c};
  }
  return std::nullopt;
}

storage::HealStep HealService::VisibleStep(const Caller& caller, int64_t workflow_id, int64_t step_id) {
  auto step = db_.Read([&](soci::session& sql) {
    return HealingRepository(sql, db_.GetDialect()).Step(caller.company_id, workflow_id, step_id);
  });
  // Regular users run published workflows (and broken or flagged ones) only.
  if (!step || (caller.role != "admin" && !IsRunnable(step->workflow_status))) {
    throw core::NotFound("STEP_NOT_FOUND", "No such step in this workflow");
  }
  return *step;
}

void HealService::AfterWrite(int64_t company_id, const std::vector<storage::NotificationRecord>& notes) {
  if (versions_ != nullptr) versions_->Bump(company_id);
  for (const auto& n : notes) notifications_.Announce(n);
}

// A decision made earlier for this page state, told again: the selector it chose, with the scope
// its variant has now (colleagues may have confirmed it meanwhile). An admin asking again is the
// evidence a used heal waited for: its variant becomes shared.
std::optional<HealDecision> HealService::FromCache(const Caller& caller, const storage::HealStep& step,
                                                   const std::string& cached, const HealRequest& request) {
  const json c = json::parse(cached, nullptr, false);
  if (!c.is_object()) return std::nullopt;
  HealDecision d;
  d.found = c.value("found", false);
  if (c.contains("selector") && c["selector"].is_string()) d.selector = c["selector"].get<std::string>();
  d.confidence = c.value("confidence", 0.0);
  d.method = c.value("method", std::string("deterministic"));
  if (c.contains("review_id") && c["review_id"].is_number_integer())
    d.review_id = c["review_id"].get<int64_t>();
  const bool asked = c.value("ask_user", false);
  for (size_t i = 0; d.selector && i < request.candidates.size(); ++i) {
    if (request.candidates[i].selector == *d.selector) d.candidate_index = static_cast<int>(i);
  }
  if (!d.found || !d.selector) return d;
  if (IsRecordedSelector(step.selectors_json, *d.selector)) {
    d.scope = "shared";
    return d;
  }
  std::vector<storage::NotificationRecord> notes;
  const bool promote = caller.role == "admin" && !asked;
  auto variant = db_.Read([&](soci::session& sql) {
    return StepVariants(sql, db_.GetDialect(), step.workflow_id, step.step_id).Find(*d.selector);
  });
  if (promote && variant && variant->status != "shared") {
    db_.Transaction([&](soci::session& sql) {
      storage::WorkflowRepository(sql, db_.GetDialect()).FindForUpdate(caller.company_id, step.workflow_id);
      StepVariants variants(sql, db_.GetDialect(), step.workflow_id, step.step_id);
      variant = variants.Find(*d.selector);
      if (variant && variants.Share(*variant, core::NowMillis())) {
        variants.Touch();
        d.should_update = true;
        if (auto n = notifications_.CreateIn(
                sql, HealedNote(caller, step, d.confidence, notifications_.WorkflowUrl(step.workflow_id))))
          notes.push_back(*n);
      }
    });
    AfterWrite(caller.company_id, notes);
  }
  if (variant) {
    d.variant_id = variant->id;
    d.scope = variant->status == "shared" ? "shared" : "personal";
  }
  d.ask_user = asked && d.scope != "shared";
  return d;
}

std::optional<AiAnswer> HealService::AskAi(const storage::HealStep& step,
                                           const std::vector<HealCandidate>& candidates,
                                           const HealRequest& request) {
  ai::AskRequest ask;
  ask.prompt = BuildHealPrompt(Parse(step.element_meta_json), candidates);
  ask.max_tokens = 300;
  ask.timeout_ms = options_.ai_timeout_ms;
  try {
    if (step.screenshot_key) {
      if (auto bytes = blobs_.Get(*step.screenshot_key))
        ask.images.push_back({"image/jpeg", ResizeForVision(*bytes)});
    }
    if (request.screenshot) ask.images.push_back({"image/jpeg", ResizeForVision(*request.screenshot)});
  } catch (const std::exception& e) {
    core::LogWarn("heal: screenshot not sent to the AI", {{"step_id", step.step_id}, {"error", e.what()}});
  }
  std::optional<AiAnswer> answer;
  std::vector<std::string> errors;
  const ai::ChainOptions opts{options_.ai_attempts, 200, 2000, options_.ai_timeout_ms};
  try {
    chain_.Ask(
        ask, opts,
        [&](const std::string& text, const std::string&) {
          answer = ParseHealAnswer(text, candidates.size());
          return answer.has_value();
        },
        &errors);
  } catch (const core::Interrupted& e) {  // shutting down: the deterministic answer
    errors.emplace_back(e.what());
  }
  if (!answer) {
    core::LogWarn("heal: no AI answer; deterministic score alone",
                  {{"step_id", step.step_id}, {"errors", errors}});
  }
  return answer;
}

HealService::ReviewShot HealService::KeepReviewShot(int64_t company_id,
                                                    const std::optional<std::string>& screenshot) {
  // The current screenshot is kept for the reviewer (stored once per content).
  ReviewShot shot;
  if (!screenshot) return shot;
  if (auto info = InspectImage(*screenshot)) {
    shot.key = "companies/" + std::to_string(company_id) + "/heal/" + core::Sha256Hex(*screenshot) +
               (info->format == "png"    ? ".png"
                : info->format == "webp" ? ".webp"
                                         : ".jpg");
    blobs_.Put(*shot.key, *screenshot, "image/" + info->format);
    shot.width = info->width;
    shot.height = info->height;
  }
  return shot;
}

std::optional<std::string> HealService::WaitForDecision(int64_t step_id, const std::string& state) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(options_.ai_timeout_ms * options_.ai_attempts + 5000);
  while (std::chrono::steady_clock::now() < deadline) {
    auto d = db_.Read([&](soci::session& sql) {
      return HealingRepository(sql, db_.GetDialect()).CachedDecision(step_id, state, core::NowMillis());
    });
    if (!d) return std::nullopt;  // the maker's claim ran out: make it ourselves
    if (*d != "pending") return d;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return std::nullopt;
}

HealService::Evidence HealService::LoadEvidence(const Caller& caller, const storage::HealStep& step,
                                                const HealRequest& request) {
  Evidence e;
  e.state = request.page_state_hash.value_or("");
  if (!e.state.empty()) {
    db_.Read([&](soci::session& sql) {
      HealingRepository repo(sql, db_.GetDialect());
      e.refused = repo.Rejected(step.step_id, e.state);
      e.own =
          storage::VariantRepository(sql, db_.GetDialect()).RejectedBy(step.step_id, e.state, caller.user_id);
      e.cached = repo.CachedDecision(step.step_id, e.state, core::NowMillis());
    });
  }
  e.personal = std::any_of(request.candidates.begin(), request.candidates.end(),
                           [&](const HealCandidate& c) { return e.own.count(c.selector) > 0; });
  for (size_t i = 0; i < request.candidates.size(); ++i) {
    const auto& c = request.candidates[i];
    if (e.refused.count(c.selector) || e.own.count(c.selector)) continue;
    e.candidates.push_back(c);
    e.original_index.push_back(static_cast<int>(i));
    e.scores.push_back(c.score);
  }
  return e;
}

std::optional<std::string> HealService::ClaimOrWait(int64_t step_id, const std::string& state) {
  for (;;) {
    const int64_t now = core::NowMillis();
    const bool claimed = db_.Transaction([&](soci::session& sql) {
      return HealingRepository(sql, db_.GetDialect())
          .ClaimDecision(step_id, state, now, now + options_.ai_timeout_ms * options_.ai_attempts + 5000);
    });
    if (claimed) return std::nullopt;
    if (auto decided = WaitForDecision(step_id, state)) return decided;
  }
}

HealDecision HealService::Heal(const Caller& caller, int64_t workflow_id, const HealRequest& request) {
  static auto& decisions = core::metrics::Default().Counters(
      "stepwise_heal_decisions_total", "Auto-heal decisions, by method and whether an element was found.",
      {"method", "found"});
  auto d = Decide(caller, workflow_id, request);
  decisions.With({d.method, d.found ? "true" : "false"}).Inc();
  return d;
}

HealDecision HealService::Decide(const Caller& caller, int64_t workflow_id, const HealRequest& request) {
  const storage::HealStep step = VisibleStep(caller, workflow_id, request.step_id);
  // Refused for this page state: by an admin or by colleagues' votes (for everyone), or by the
  // caller's own "Not this" (for them). A caller who refused one of these candidates gets a
  // decision of their own: the page's shared decision may be the one they refused, and theirs is
  // not everyone's.
  Evidence e = LoadEvidence(caller, step, request);
  if (!e.personal) {
    if (e.cached && *e.cached == "pending") e.cached = WaitForDecision(step.step_id, e.state);
    if (e.cached) {
      if (auto d = FromCache(caller, step, *e.cached, request)) return *d;
    }
  }
  const bool cache = !e.state.empty() && !e.personal;
  const bool needs_ai = NeedsAi(e.scores, options_.thresholds);
  // Anything but a clear winner is decided once per page state (one AI call, one review), across
  // processes: the first request makes the decision; the others wait for it and answer from it.
  if (needs_ai && cache) {
    if (auto decided = ClaimOrWait(step.step_id, e.state)) {
      if (auto d = FromCache(caller, step, *decided, request)) return *d;
    }
  }
  std::optional<AiAnswer> ai;
  if (needs_ai && chain_.HasVendors()) ai = AskAi(step, e.candidates, request);
  const HealVerdict verdict = DecideHeal(e.scores, ai, caller.role == "admin", options_.thresholds);
  return Record(caller, step, e, verdict, request, cache);
}

HealDecision HealService::Record(const Caller& caller, const storage::HealStep& step, const Evidence& e,
                                 const HealVerdict& verdict, const HealRequest& request, bool cache) {
  HealDecision d;
  d.method = verdict.ai_assisted ? "ai_assisted" : "deterministic";
  d.confidence = verdict.confidence;
  if (verdict.outcome == HealOutcome::kNotFound) {
    if (cache) {
      db_.Transaction([&](soci::session& sql) {
        HealingRepository(sql, db_.GetDialect())
            .CacheDecision(step.step_id, e.state, DecisionJson(d).dump(),
                           core::NowMillis() + options_.cache_ms);
      });
    }
    return d;
  }
  const HealCandidate& pick = e.candidates[*verdict.chosen];
  d.found = true;
  d.selector = pick.selector;
  d.candidate_index = e.original_index[*verdict.chosen];
  d.ask_user = verdict.outcome == HealOutcome::kAsk;
  const ReviewShot shot = d.ask_user ? KeepReviewShot(caller.company_id, request.screenshot) : ReviewShot{};
  std::vector<storage::NotificationRecord> notes;
  db_.Transaction([&](soci::session& sql) {
    // The workflow row first: every writer of this workflow locks it before the rows that refer
    // to it (PostgreSQL would otherwise deadlock two heals upgrading their key-share locks).
    storage::WorkflowRepository(sql, db_.GetDialect()).FindForUpdate(caller.company_id, step.workflow_id);
    const int64_t now = core::NowMillis();
    StoreVariant(sql, caller, step, pick, verdict.scope == HealScope::kShared, e.state, now, d, notes);
    // A question files a review for the admins; the workflow stays published (hiding it from
    // everyone because one colleague was asked would break it for all of them).
    if (d.ask_user) FileReview(sql, caller, step, pick, request, shot, now, d, notes);
    if (cache) {
      HealingRepository(sql, db_.GetDialect())
          .CacheDecision(step.step_id, e.state, DecisionJson(d).dump(), now + options_.cache_ms);
    }
  });
  AfterWrite(caller.company_id, notes);
  return d;
}

void HealService::StoreVariant(soci::session& sql, const Caller& caller, const storage::HealStep& step,
                               const HealCandidate& pick, bool share, const std::string& state, int64_t now,
                               HealDecision& d, std::vector<storage::NotificationRecord>& notes) {
  if (IsRecordedSelector(step.selectors_json, pick.selector)) {
    d.scope = "shared";  // the recorded variant: nothing to add, nothing to ask
    d.ask_user = false;
    return;
  }
  StepVariants variants(sql, db_.GetDialect(), step.workflow_id, step.step_id);
  const NewVariant nv{pick.selector,
                      pick.selectors,
                      pick.element_meta,
                      "healed",
                      d.method,
                      d.confidence,
                      state.empty() ? std::nullopt : std::optional<std::string>(state),
                      caller.user_id};
  auto variant = variants.Ensure(nv, "pending", now);
  if (!variant) {
    // Twenty variants that may not go: the walkthrough still gets its element, nothing is stored.
    core::LogWarn("heal: the step holds the most variants; nothing stored", {{"step_id", step.step_id}});
    return;
  }
  if (share && variants.Share(*variant, now)) {
    if (auto n = notifications_.CreateIn(
            sql, HealedNote(caller, step, d.confidence, notifications_.WorkflowUrl(step.workflow_id))))
      notes.push_back(*n);
  }
  variants.Touch();
  d.variant_id = variant->id;
  d.scope = variant->status == "shared" ? "shared" : "personal";
  // Every walkthrough may use it now; one that colleagues already share is used, not asked about.
  d.should_update = variant->status == "shared";
  if (variant->status == "shared") d.ask_user = false;
}

void HealService::FileReview(soci::session& sql, const Caller& caller, const storage::HealStep& step,
                             const HealCandidate& pick, const HealRequest& request, const ReviewShot& shot,
                             int64_t now, HealDecision& d, std::vector<storage::NotificationRecord>& notes) {
  const json recorded = json::parse(step.selectors_json, nullptr, false);
  storage::HealReviewRecord r;
  r.company_id = caller.company_id;
  r.workflow_id = step.workflow_id;
  r.step_id = step.step_id;
  r.confidence = d.confidence;
  r.method = d.method;
  r.selector = pick.selector;
  r.candidate_json = json{
      {"selector", pick.selector},
      {"selectors", pick.selectors},
      {"element_meta", pick.element_meta},
      {"deterministic_score",
       pick.score}}.dump();
  if (recorded.is_object() && recorded.contains("primary") && recorded["primary"].is_string())
    r.previous_selector = recorded["primary"].get<std::string>();
  r.current_screenshot_key = shot.key;
  r.current_width = shot.width;
  r.current_height = shot.height;
  r.page_url = request.page_url;
  if (request.page_state_hash && !request.page_state_hash->empty())
    r.page_state_hash = request.page_state_hash;
  r.created_at = now;
  d.review_id = HealingRepository(sql, db_.GetDialect()).InsertReview(r);
  if (auto n = notifications_.CreateIn(
          sql, NewNotification{caller.company_id, step.workflow_id, "low_confidence", "warning",
                               Quoted(step.workflow_name) + " needs a look",
                               "Step " + std::to_string(step.step_number) + " was found with " +
                                   Percent(d.confidence) + "% confidence. Approve or reject the match.",
                               notifications_.WorkflowUrl(step.workflow_id, "health")}))
    notes.push_back(*n);
}

}  // namespace stepwise::services
