#include "services/healing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "core/crypto.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "services/images.hpp"
#include "storage/db/workflows.hpp"

namespace stepwise::services {

using nlohmann::json;
using storage::HealingRepository;

namespace {

constexpr double kEpsilon = 1e-9;

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

json DecisionJson(const HealDecision& d) {
  return {{"found", d.found},
          {"selector", d.selector ? json(*d.selector) : json(nullptr)},
          {"confidence", d.confidence},
          {"method", d.method},
          {"review_id", d.review_id ? json(*d.review_id) : json(nullptr)}};
}

json Parse(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return json::parse(*text, nullptr, false);
}

}  // namespace

HealScores Rank(const std::vector<HealCandidate>& candidates, const HealOptions& options) {
  HealScores s;
  if (candidates.empty()) return s;
  std::vector<int> order(candidates.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return candidates[a].score > candidates[b].score; });
  s.best = order[0];
  const double top = candidates[order[0]].score;
  const double next = order.size() > 1 ? candidates[order[1]].score : 0.0;
  s.clear_winner = top >= options.clear_score - kEpsilon && top - next >= options.clear_margin - kEpsilon;
  return s;
}

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

std::optional<std::pair<std::optional<int>, double>> ParseHealAnswer(std::string_view text,
                                                                     size_t candidates) {
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
    if (!j["found"].get<bool>()) return std::make_pair(std::optional<int>(), c);
    if (!j.contains("candidate_index") || !j["candidate_index"].is_number_integer()) return std::nullopt;
    const int idx = j["candidate_index"].get<int>();
    if (idx < 1 || static_cast<size_t>(idx) > candidates) return std::nullopt;
    return std::make_pair(std::optional<int>(idx - 1), c);
  }
  return std::nullopt;
}

void HealService::Apply(soci::session& sql, const storage::HealStep& step, const HealCandidate& candidate,
                        double confidence, const std::string& method) {
  json old = json::parse(step.selectors_json, nullptr, false);
  if (!old.is_object()) old = json::object();
  json next = candidate.selectors.is_object() ? candidate.selectors : old;
  next["primary"] = candidate.selector;
  json healed = Parse(step.healed_selectors_json);
  if (!healed.is_object()) healed = json::object();
  if (old.contains("primary") && old["primary"].is_string()) {
    // The first recorded primary is kept; later heals do not overwrite it.
    if (!healed.contains("previous_primary")) healed["previous_primary"] = old["primary"];
    healed["last_replaced"] = old["primary"];
  }
  healed["primary"] = candidate.selector;
  HealingRepository(sql, db_.GetDialect())
      .ApplyHeal(step.step_id, next.dump(), healed.dump(), confidence, method, core::NowMillis());
}

HealDecision HealService::Heal(const Caller& caller, int64_t workflow_id, const HealRequest& request) {
  auto step = db_.Read([&](soci::session& sql) {
    return HealingRepository(sql, db_.GetDialect()).Step(caller.company_id, workflow_id, request.step_id);
  });
  if (!step || (caller.role != "admin" && step->workflow_status != "active" &&
                step->workflow_status != "broken" && step->workflow_status != "needs_review")) {
    throw core::NotFound("STEP_NOT_FOUND", "No such step in this workflow");
  }
  const std::string state = request.page_state_hash.value_or("");
  // Refused candidates and a cached decision for this page state.
  std::set<std::string> rejected;
  std::optional<std::string> cached;
  if (!state.empty()) {
    db_.Read([&](soci::session& sql) {
      HealingRepository repo(sql, db_.GetDialect());
      rejected = repo.Rejected(step->step_id, state);
      cached = repo.CachedDecision(step->step_id, state, core::NowMillis());
    });
  }
  // One decision per (step, page state) at a time, across processes: the first request makes it
  // (and asks the AI); the others wait for it and answer from the cache.
  const auto wait_for_decision = [&]() -> std::optional<std::string> {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(options_.ai_timeout_ms * options_.ai_attempts + 5000);
    while (std::chrono::steady_clock::now() < deadline) {
      auto d = db_.Read([&](soci::session& sql) {
        return HealingRepository(sql, db_.GetDialect())
            .CachedDecision(step->step_id, state, core::NowMillis());
      });
      if (!d) return std::nullopt;  // the maker's claim ran out: make it ourselves
      if (*d != "pending") return d;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return std::nullopt;
  };
  if (cached && *cached == "pending") cached = wait_for_decision();
  if (cached) {
    const json c = json::parse(*cached, nullptr, false);
    if (c.is_object()) {
      HealDecision d;
      d.found = c.value("found", false);
      if (c.contains("selector") && c["selector"].is_string()) d.selector = c["selector"].get<std::string>();
      d.confidence = c.value("confidence", 0.0);
      d.method = c.value("method", std::string("deterministic"));
      if (c.contains("review_id") && c["review_id"].is_number_integer())
        d.review_id = c["review_id"].get<int64_t>();
      for (size_t i = 0; d.selector && i < request.candidates.size(); ++i) {
        if (request.candidates[i].selector == *d.selector) d.candidate_index = static_cast<int>(i);
      }
      d.should_update = false;  // done when it was decided
      return d;
    }
  }
  std::vector<HealCandidate> candidates;
  std::vector<int> original_index;
  for (size_t i = 0; i < request.candidates.size(); ++i) {
    if (rejected.count(request.candidates[i].selector)) continue;
    candidates.push_back(request.candidates[i]);
    original_index.push_back(static_cast<int>(i));
  }
  const json original = Parse(step->element_meta_json);
  HealDecision d;
  const HealScores rank = Rank(candidates, options_);
  std::optional<int> chosen = rank.best;
  double final_score = rank.best ? candidates[*rank.best].score / 100.0 : 0.0;
  const bool ask_ai = rank.best && !rank.clear_winner && chain_.HasVendors();
  // Anything but a clear winner is decided once per page state (one AI call, one review).
  if (rank.best && !rank.clear_winner && !state.empty()) {
    for (;;) {
      const int64_t now = core::NowMillis();
      const bool claimed = db_.Transaction([&](soci::session& sql) {
        return HealingRepository(sql, db_.GetDialect())
            .ClaimDecision(step->step_id, state, now,
                           now + options_.ai_timeout_ms * options_.ai_attempts + 5000);
      });
      if (claimed) break;
      // Someone else decided meanwhile: their answer, as from the cache.
      if (wait_for_decision()) return Heal(caller, workflow_id, request);
    }
  }
  if (ask_ai) {
    ai::AskRequest ask;
    ask.prompt = BuildHealPrompt(original, candidates);
    ask.max_tokens = 300;
    ask.timeout_ms = options_.ai_timeout_ms;
    try {
      if (step->screenshot_key) {
        if (auto bytes = blobs_.Get(*step->screenshot_key))
          ask.images.push_back({"image/jpeg", ResizeForVision(*bytes)});
      }
      if (request.screenshot) ask.images.push_back({"image/jpeg", ResizeForVision(*request.screenshot)});
    } catch (const std::exception& e) {
      core::LogWarn("heal: screenshot not sent to the AI", {{"step_id", step->step_id}, {"error", e.what()}});
    }
    std::optional<std::pair<std::optional<int>, double>> answer;
    std::vector<std::string> errors;
    ai::ChainOptions opts{options_.ai_attempts, 200, 2000, options_.ai_timeout_ms};
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
    if (answer) {
      d.method = "ai_assisted";
      if (answer->first) {
        chosen = *answer->first;
        final_score = 0.5 * candidates[*chosen].score / 100.0 + 0.5 * answer->second;
      } else {
        final_score = 0.5 * candidates[*rank.best].score / 100.0;  // the AI sees no match
      }
    } else {
      core::LogWarn("heal: no AI answer; deterministic score alone",
                    {{"step_id", step->step_id}, {"errors", errors}});
    }
  }
  d.confidence = std::clamp(final_score, 0.0, 1.0);
  std::optional<storage::NotificationRecord> note;
  bool status_changed = false;
  if (chosen && final_score >= options_.review - kEpsilon) {
    const HealCandidate& pick = candidates[*chosen];
    d.found = true;
    d.selector = pick.selector;
    d.candidate_index = original_index[*chosen];
    const bool accept = final_score >= options_.accept - kEpsilon;
    d.should_update = accept;
    // The current screenshot is kept for the reviewer (stored once per content).
    std::optional<std::string> shot_key;
    std::optional<int64_t> width;
    std::optional<int64_t> height;
    if (!accept && request.screenshot) {
      if (auto info = InspectImage(*request.screenshot)) {
        shot_key = "companies/" + std::to_string(caller.company_id) + "/heal/" +
                   core::Sha256Hex(*request.screenshot) +
                   (info->format == "png"    ? ".png"
                    : info->format == "webp" ? ".webp"
                                             : ".jpg");
        blobs_.Put(*shot_key, *request.screenshot, "image/" + info->format);
        width = info->width;
        height = info->height;
      }
    }
    db_.Transaction([&](soci::session& sql) {
      // The workflow row first: every writer of this workflow locks it before the rows that refer
      // to it (PostgreSQL would otherwise deadlock two heals upgrading their key-share locks).
      storage::WorkflowRepository workflows(sql, db_.GetDialect());
      auto locked = workflows.FindForUpdate(caller.company_id, step->workflow_id);
      HealingRepository repo(sql, db_.GetDialect());
      const std::string url = notifications_.WorkflowUrl(step->workflow_id);
      const std::string name = "\u201c" + core::TruncateUtf8(step->workflow_name, 200, true) + "\u201d";
      if (accept) {
        Apply(sql, *step, pick, d.confidence, d.method);
        note = notifications_.CreateIn(
            sql, NewNotification{
                     caller.company_id, step->workflow_id, "workflow_healed", "info", name + " healed itself",
                     "Step " + std::to_string(step->step_number) + " found its element again (" +
                         std::to_string(static_cast<int>(std::lround(d.confidence * 100))) + "% sure).",
                     url});
      } else {
        json old = json::parse(step->selectors_json, nullptr, false);
        storage::HealReviewRecord r;
        r.company_id = caller.company_id;
        r.workflow_id = step->workflow_id;
        r.step_id = step->step_id;
        r.confidence = d.confidence;
        r.method = d.method;
        r.selector = pick.selector;
        r.candidate_json = json{
            {"selector", pick.selector},
            {"selectors", pick.selectors},
            {"element_meta", pick.element_meta},
            {"deterministic_score",
             pick.score}}.dump();
        if (old.is_object() && old.contains("primary") && old["primary"].is_string())
          r.previous_selector = old["primary"].get<std::string>();
        r.current_screenshot_key = shot_key;
        r.current_width = width;
        r.current_height = height;
        r.page_url = request.page_url;
        if (!state.empty()) r.page_state_hash = state;
        r.created_at = core::NowMillis();
        d.review_id = repo.InsertReview(r);
        note = notifications_.CreateIn(
            sql, NewNotification{caller.company_id, step->workflow_id, "low_confidence", "warning",
                                 name + " needs a look",
                                 "Step " + std::to_string(step->step_number) + " was found with " +
                                     std::to_string(static_cast<int>(std::lround(d.confidence * 100))) +
                                     "% confidence. Approve or reject the match.",
                                 notifications_.WorkflowUrl(step->workflow_id, "health")});
        if (locked && (locked->status == "active" || locked->status == "broken")) {
          locked->status = "needs_review";
          workflows.Update(*locked, core::NowMillis());
          status_changed = true;
        }
      }
      if (!state.empty())
        repo.CacheDecision(step->step_id, state, DecisionJson(d).dump(),
                           core::NowMillis() + options_.cache_ms);
    });
  } else {
    d.found = false;
    d.selector.reset();
    if (!state.empty()) {
      db_.Transaction([&](soci::session& sql) {
        HealingRepository(sql, db_.GetDialect())
            .CacheDecision(step->step_id, state, DecisionJson(d).dump(),
                           core::NowMillis() + options_.cache_ms);
      });
    }
  }
  if (d.found && versions_ != nullptr) versions_->Bump(caller.company_id);
  if (note) notifications_.Announce(*note);
  if (status_changed) {
    events_.Publish(caller.company_id, "workflow_status",
                    {{"workflow_id", step->workflow_id}, {"status", "needs_review"}});
  }
  return d;
}

json HealService::ReviewJson(soci::session& sql, const storage::HealReviewRecord& r,
                             const std::function<std::string(const std::string&)>& url) {
  auto step = HealingRepository(sql, db_.GetDialect()).Step(r.company_id, r.workflow_id, r.step_id);
  const json candidate = json::parse(r.candidate_json, nullptr, false);
  json meta = step ? Parse(step->element_meta_json) : json(nullptr);
  json page = step ? Parse(step->page_context_json) : json(nullptr);
  auto box = [](const json& m) -> json {
    if (m.is_object() && m.contains("bounding_box") && m["bounding_box"].is_object())
      return m["bounding_box"];
    return nullptr;
  };
  json viewport = nullptr;
  if (page.is_object() && page.contains("viewport") && page["viewport"].is_object()) {
    viewport = {{"width", page["viewport"].value("width", 0)},
                {"height", page["viewport"].value("height", 0)}};
  }
  auto opt = [](const auto& v) -> json { return v ? json(*v) : json(nullptr); };
  return {
      {"id", r.id},
      {"workflow_id", r.workflow_id},
      {"workflow_name", step ? step->workflow_name : std::string()},
      {"step_id", r.step_id},
      {"step_number", step ? step->step_number : 1},
      {"field_label", step ? opt(step->field_label) : json(nullptr)},
      {"status", r.status},
      {"confidence", r.confidence},
      {"method", r.method},
      {"selector", r.selector},
      {"previous_selector", opt(r.previous_selector)},
      {"recorded_box", box(meta)},
      {"candidate_box",
       candidate.is_object() ? box(candidate.value("element_meta", json(nullptr))) : json(nullptr)},
      {"recorded_screenshot_url",
       step && step->screenshot_key ? json(url(*step->screenshot_key)) : json(nullptr)},
      {"current_screenshot_url",
       r.current_screenshot_key ? json(url(*r.current_screenshot_key)) : json(nullptr)},
      {"recorded_image", step && step->screenshot_width && step->screenshot_height
                             ? json{{"width", *step->screenshot_width}, {"height", *step->screenshot_height}}
                             : json(nullptr)},
      {"recorded_viewport", viewport},
      {"current_image", r.current_width && r.current_height
                            ? json{{"width", *r.current_width}, {"height", *r.current_height}}
                            : json(nullptr)},
      {"page_url", opt(r.page_url)},
      {"created_at", core::FormatIsoMillis(r.created_at)},
      {"decided_at", r.decided_at ? json(core::FormatIsoMillis(*r.decided_at)) : json(nullptr)},
      {"decided_by", opt(r.decided_by)}};
}

HealService::ReviewPage HealService::Reviews(const Caller& caller, const std::string& status,
                                             std::optional<int64_t> workflow_id, int limit, int offset,
                                             const std::function<std::string(const std::string&)>& url) {
  return db_.Read([&](soci::session& sql) {
    HealingRepository repo(sql, db_.GetDialect());
    ReviewPage page;
    for (const auto& r : repo.Reviews(caller.company_id, status, workflow_id, limit, offset))
      page.items.push_back(ReviewJson(sql, r, url));
    page.total = repo.CountReviews(caller.company_id, status, workflow_id);
    return page;
  });
}

json HealService::Decide(const Caller& caller, int64_t review_id, bool approve,
                         const std::function<std::string(const std::string&)>& url) {
  json out;
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
    const json c = json::parse(r->candidate_json, nullptr, false);
    HealCandidate cand;
    cand.selector = r->selector;
    cand.selectors = c.is_object() ? c.value("selectors", json(nullptr)) : json(nullptr);
    if (approve) {
      Apply(sql, *step, cand, r->confidence, r->method);
    } else if (r->page_state_hash) {
      repo.Reject(r->step_id, *r->page_state_hash, r->selector, core::NowMillis());
      repo.ForgetDecision(r->step_id, *r->page_state_hash);
    }
    if (approve && r->page_state_hash) repo.ForgetDecision(r->step_id, *r->page_state_hash);
    repo.DecideReview(r->id, approve ? "approved" : "rejected", caller.user_id, core::NowMillis());
    out = ReviewJson(sql, *repo.Review(caller.company_id, review_id, false), url);
  });
  if (versions_ != nullptr) versions_->Bump(caller.company_id);
  return out;
}

}  // namespace stepwise::services
