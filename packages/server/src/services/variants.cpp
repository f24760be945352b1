#include "services/variants.hpp"

namespace stepwise::services {

using nlohmann::json;
using storage::VariantRecord;

namespace {
// steps.healed_selectors: the variant that became shared last.
std::string HealedJson(const std::string& selector) { return json{{"primary", selector}}.dump(); }
}  // namespace

std::string VariantSelectorsJson(const std::string& selector, const json& selectors) {
  json out = selectors.is_object() ? selectors : json::object();
  out["primary"] = selector;
  return out.dump();
}

bool IsRecordedSelector(const std::string& recorded_selectors_json, const std::string& selector) {
  const json recorded = json::parse(recorded_selectors_json, nullptr, false);
  return recorded.is_object() && recorded.contains("primary") && recorded["primary"].is_string() &&
         recorded["primary"].get<std::string>() == selector;
}

int ConfirmationsRequired(const std::string& settings_json, int fallback) {
  const json settings = json::parse(settings_json, nullptr, false);
  if (!settings.is_object()) return fallback;
  auto it = settings.find("heal_confirmations_required");
  if (it == settings.end() || !it->is_number_integer()) return fallback;
  const auto n = it->get<int64_t>();
  return n >= 1 && n <= 10 ? static_cast<int>(n) : fallback;
}

std::optional<VariantRecord> StepVariants::Ensure(const NewVariant& v, const std::string& status,
                                                  int64_t now) {
  if (auto existing = repo_.Find(step_id_, v.selector)) return existing;
  if (repo_.Count(step_id_) >= storage::VariantRepository::kMaxPerStep && !repo_.EvictOne(step_id_))
    return std::nullopt;
  VariantRecord r;
  r.step_id = step_id_;
  r.selector = v.selector;
  r.selectors_json = VariantSelectorsJson(v.selector, v.selectors);
  if (v.element_meta.is_object()) r.element_meta_json = v.element_meta.dump();
  r.source = v.source;
  r.status = status;
  r.method = v.method;
  r.confidence = v.confidence;
  r.page_state_hash = v.page_state_hash;
  r.created_at = now;
  r.created_by = v.created_by;
  r.id = repo_.Insert(r);
  // Born shared: the step records it like any variant that becomes shared.
  if (status == "shared") repo_.MarkStepHealed(step_id_, HealedJson(r.selector), r.confidence, r.method, now);
  return r;
}

bool StepVariants::Share(VariantRecord& v, int64_t now) {
  if (v.status == "shared") return false;
  if (v.id != 0) repo_.SetStatus(v.id, "shared");
  v.status = "shared";
  repo_.MarkStepHealed(step_id_, HealedJson(v.selector), v.confidence, v.method, now);
  return true;
}

void StepVariants::RejectIfPending(VariantRecord& v) {
  if (v.status != "pending") return;
  repo_.SetStatus(v.id, "rejected");
  v.status = "rejected";
}

void StepVariants::Prefer(VariantRecord& v) {
  repo_.Prefer(step_id_, v.id);
  v.preferred = true;
}

std::optional<VariantRecord> StepVariants::Shown(const std::string& selector) {
  for (auto& v : repo_.ForStep(step_id_)) {
    if (v.selector == selector) return std::move(v);
  }
  return std::nullopt;
}

}  // namespace stepwise::services
