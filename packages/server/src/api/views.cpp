#include "api/views.hpp"

#include "core/time.hpp"

namespace stepwise::api {

using nlohmann::json;

namespace {
json OptionalTime(const std::optional<int64_t>& t) { return t ? json(core::FormatIso(*t)) : json(nullptr); }
}  // namespace

json UserSummaryJson(const storage::UserRecord& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"name", user.name},
          {"role", user.role},
          {"company_id", user.company_id}};
}

json UserJson(const storage::UserRecord& user) {
  json j = UserSummaryJson(user);
  j["created_at"] = core::FormatIso(user.created_at);
  j["last_login_at"] = OptionalTime(user.last_login_at);
  return j;
}

json CompanyJson(const services::CompanyView& view) {
  auto settings = json::parse(view.company.settings_json, nullptr, false);
  if (!settings.is_object()) settings = json::object();
  return {{"id", view.company.id},
          {"name", view.company.name},
          {"settings", settings},
          {"invite_token", view.company.invite_token},
          {"created_at", core::FormatIso(view.company.created_at)},
          {"user_count", view.user_count}};
}

json AuthJson(const services::AuthResult& auth) {
  return {{"token", auth.token}, {"user", UserSummaryJson(auth.user)}};
}

json WorkflowJson(const storage::WorkflowRecord& w) {
  auto tags = json::parse(w.tags_json, nullptr, false);
  if (!tags.is_array()) tags = json::array();
  return {{"id", w.id},
          {"name", w.name},
          {"description", w.description ? json(*w.description) : json(nullptr)},
          {"starting_url", w.starting_url},
          {"tags", tags},
          {"status", w.status},
          {"success_rate", w.success_rate},
          {"total_uses", w.total_uses},
          {"step_count", w.step_count},
          {"created_at", core::FormatIso(w.created_at)},
          {"updated_at", core::FormatIso(w.updated_at)},
          {"created_by", w.created_by ? json(*w.created_by) : json(nullptr)},
          {"consecutive_failures", w.consecutive_failures},
          {"last_successful_run", OptionalTime(w.last_successful_run)},
          {"last_failed_run", OptionalTime(w.last_failed_run)}};
}

namespace {
class ObjectWriter {
 public:
  void Raw(const char* key, std::string_view raw) {
    out_ += out_.size() > 1 ? ",\"" : "\"";
    out_ += key;
    out_ += "\":";
    out_ += raw;
  }
  void Value(const char* key, const json& v) {
    Raw(key, v.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  void OptionalRaw(const char* key, const std::optional<std::string>& raw) {
    Raw(key, raw ? std::string_view(*raw) : std::string_view("null"));
  }
  std::string Done() { return out_ + "}"; }

 private:
  std::string out_ = "{";
};

json Opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json Opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json Opt(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }
}  // namespace

std::string StepJsonText(const storage::StepRecord& s, const storage::ScreenshotRecord* shot,
                         const json& screenshot) {
  ObjectWriter w;
  w.Value("id", s.id);
  w.Value("step_number", s.step_number);
  w.Value("timestamp", Opt(s.timestamp));
  w.Value("action_type", s.action_type);
  w.Raw("selectors", s.selectors_json);
  w.Raw("element_meta", s.element_meta_json);
  w.Raw("page_context", s.page_context_json);
  w.OptionalRaw("action_data", s.action_data_json);
  w.Value("screenshot_ref",
          shot != nullptr ? json{{"id", std::to_string(shot->id)}, {"hash", shot->hash}} : json(nullptr));
  w.Value("screenshot", screenshot);
  w.OptionalRaw("dom_context", s.dom_context_json);
  w.OptionalRaw("expected_outcome", s.expected_outcome_json);
  w.Value("field_label", Opt(s.field_label));
  w.Value("instruction", Opt(s.instruction));
  w.Value("ai_confidence", Opt(s.ai_confidence));
  w.Value("ai_model", Opt(s.ai_model));
  w.Value("ai_generated_at", OptionalTime(s.ai_generated_at));
  w.Value("label_edited", s.label_edited);
  w.Value("instruction_edited", s.instruction_edited);
  w.Value("edited_by", Opt(s.edited_by));
  w.Value("edited_at", OptionalTime(s.edited_at));
  w.OptionalRaw("healed_selectors", s.healed_selectors_json);
  w.Value("healed_at", OptionalTime(s.healed_at));
  w.Value("healing_confidence", Opt(s.healing_confidence));
  w.Value("healing_method", Opt(s.healing_method));
  return w.Done();
}

json ScreenshotJson(const storage::ScreenshotRecord& s, const std::string& url,
                    const std::optional<std::string>& thumbnail_url) {
  return {{"screenshot_id", s.id},
          {"storage_url", url},
          {"hash", s.hash},
          {"thumbnail_url", thumbnail_url ? json(*thumbnail_url) : json(nullptr)},
          {"width", s.width},
          {"height", s.height},
          {"format", s.format},
          {"file_size", s.file_size},
          {"workflow_id", s.workflow_id ? json(*s.workflow_id) : json(nullptr)},
          {"created_at", core::FormatIso(s.created_at)}};
}

}  // namespace stepwise::api
