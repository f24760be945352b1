#include "api/views.hpp"

#include <algorithm>

#include "core/time.hpp"

namespace stepwise::api {

using nlohmann::json;

namespace {
json OptionalTime(const std::optional<int64_t>& t) { return t ? json(core::FormatIso(*t)) : json(nullptr); }
json OptionalTimeMillis(const std::optional<int64_t>& t) {
  return t ? json(core::FormatIsoMillis(*t)) : json(nullptr);
}
template <class T>
json Optional(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}
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

json CompanyRefJson(const storage::CompanyRecord& company) {
  const auto settings = json::parse(company.settings_json, nullptr, false);
  const bool launcher = settings.is_object() && settings.contains("launcher_enabled") &&
                        settings["launcher_enabled"].is_boolean() && settings["launcher_enabled"].get<bool>();
  return {{"id", company.id}, {"name", company.name}, {"launcher_enabled", launcher}};
}

json AuthJson(const services::AuthResult& auth) {
  return {{"token", auth.token}, {"user", UserSummaryJson(auth.user)}};
}

namespace {
void OptTime(core::JsonWriter& out, const std::optional<int64_t>& t) {
  if (t) {
    out.String(core::FormatIso(*t));
  } else {
    out.Null();
  }
}
}  // namespace

void WriteWorkflow(core::JsonWriter& out, const storage::WorkflowRecord& w, bool close) {
  out.BeginObject();
  out.Key("id").Int(w.id);
  out.Key("name").String(w.name);
  out.Key("description").OptString(w.description);
  out.Key("starting_url").String(w.starting_url);
  out.Key("tags").Raw(w.tags_json);  // stored as validated JSON
  out.Key("status").String(w.status);
  out.Key("success_rate").Double(w.success_rate);
  out.Key("total_uses").Int(w.total_uses);
  out.Key("step_count").Int(w.step_count);
  out.Key("created_at").String(core::FormatIso(w.created_at));
  out.Key("updated_at").String(core::FormatIso(w.updated_at));
  out.Key("created_by").OptInt(w.created_by);
  out.Key("consecutive_failures").Int(w.consecutive_failures);
  out.Key("last_successful_run");
  OptTime(out, w.last_successful_run);
  out.Key("last_failed_run");
  OptTime(out, w.last_failed_run);
  out.Key("check_status").OptString(w.check_status);
  if (close) out.EndObject();
}

namespace {

void WriteVote(core::JsonWriter& w, const storage::HealVoteRecord& v) {
  w.BeginObject();
  w.Key("user_id").OptInt(v.user_id);
  w.Key("user_name").OptString(v.user_name);
  w.Key("vote").String(v.vote);
  w.Key("how").String(v.how);
  w.Key("admin").Bool(v.admin);
  w.Key("page_state_hash").String(v.page_state_hash);
  w.Key("created_at").String(core::FormatIsoMillis(v.created_at));
  w.EndObject();
}

// The recorded selectors as the first variant: preferred unless an admin preferred another.
void WriteRecordedVariant(core::JsonWriter& w, const storage::StepRecord& s, bool preferred,
                          std::optional<int64_t> recorded_by) {
  w.BeginObject();
  w.Key("id").Null();
  w.Key("source").String("recorded");
  w.Key("status").String("shared");
  w.Key("preferred").Bool(preferred);
  w.Key("selectors").Raw(s.selectors_json);
  w.Key("element_meta").Null();
  w.Key("method").String("recorded");
  w.Key("confidence").Null();
  w.Key("page_state_hash").OptString(s.page_state_hash);
  w.Key("created_at").String(core::FormatIsoMillis(s.created_at));
  w.Key("created_by").OptInt(recorded_by);
  w.Key("votes").BeginArray().EndArray();
  w.EndObject();
}

}  // namespace

void WriteVariant(core::JsonWriter& w, const storage::VariantRecord& v) {
  w.BeginObject();
  w.Key("id").Int(v.id);
  w.Key("source").String(v.source);
  w.Key("status").String(v.status);
  w.Key("preferred").Bool(v.preferred);
  w.Key("selectors").Raw(v.selectors_json);
  w.Key("element_meta").OptRaw(v.element_meta_json);
  w.Key("method").String(v.method);
  w.Key("confidence").OptDouble(v.confidence);
  w.Key("page_state_hash").OptString(v.page_state_hash);
  w.Key("created_at").String(core::FormatIsoMillis(v.created_at));
  w.Key("created_by").OptInt(v.created_by);
  w.Key("votes").BeginArray();
  for (const auto& vote : v.votes) WriteVote(w, vote);
  w.EndArray();
  w.EndObject();
}

void WriteStep(core::JsonWriter& w, const storage::StepRecord& s, const storage::ScreenshotRecord* shot,
               const ScreenshotLinks* links, const std::vector<storage::VariantRecord>& variants,
               std::optional<int64_t> recorded_by) {
  w.BeginObject();
  w.Key("id").Int(s.id);
  w.Key("step_number").Int(s.step_number);
  w.Key("timestamp").OptString(s.timestamp);
  w.Key("action_type").String(s.action_type);
  w.Key("selectors").Raw(s.selectors_json);
  w.Key("element_meta").Raw(s.element_meta_json);
  w.Key("page_context").Raw(s.page_context_json);
  w.Key("action_data").OptRaw(s.action_data_json);
  w.Key("screenshot_ref");
  if (shot != nullptr) {
    w.BeginObject().Key("id").String(std::to_string(shot->id)).Key("hash").String(shot->hash).EndObject();
  } else {
    w.Null();
  }
  w.Key("screenshot");
  if (shot != nullptr && links != nullptr) {
    w.BeginObject();
    w.Key("id").Int(shot->id);
    w.Key("url").String(links->url);
    w.Key("thumbnail_url").OptString(links->thumbnail_url);
    w.Key("width").Int(shot->width);
    w.Key("height").Int(shot->height);
    w.Key("format").String(shot->format);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("dom_context").OptRaw(s.dom_context_json);
  w.Key("expected_outcome").OptRaw(s.expected_outcome_json);
  w.Key("field_label").OptString(s.field_label);
  w.Key("instruction").OptString(s.instruction);
  w.Key("ai_confidence").OptDouble(s.ai_confidence);
  w.Key("ai_model").OptString(s.ai_model);
  w.Key("ai_generated_at");
  OptTime(w, s.ai_generated_at);
  w.Key("label_edited").Bool(s.label_edited);
  w.Key("instruction_edited").Bool(s.instruction_edited);
  w.Key("edited_by").OptInt(s.edited_by);
  w.Key("edited_at");
  OptTime(w, s.edited_at);
  w.Key("healed_selectors").OptRaw(s.healed_selectors_json);
  w.Key("healed_at");
  OptTime(w, s.healed_at);
  w.Key("healing_confidence").OptDouble(s.healing_confidence);
  w.Key("healing_method").OptString(s.healing_method);
  w.Key("selector_variants").BeginArray();
  const bool other_preferred =
      std::any_of(variants.begin(), variants.end(), [](const auto& v) { return v.preferred; });
  WriteRecordedVariant(w, s, !other_preferred, recorded_by);
  for (const auto& v : variants) WriteVariant(w, v);
  w.EndArray();
  w.EndObject();
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

json HealthFieldsJson(const storage::HealthFields& f) {
  return {{"status", f.status},
          {"success_rate", f.success_rate},
          {"total_uses", f.total_uses},
          {"consecutive_failures", f.consecutive_failures},
          {"last_successful_run", OptionalTimeMillis(f.last_successful_run)},
          {"last_failed_run", OptionalTimeMillis(f.last_failed_run)}};
}

json HealthReportJson(const services::WorkflowHealthReport& r) {
  json days = json::array();
  for (const auto& d : r.days) {
    days.push_back({{"date", d.date},
                    {"success", d.success},
                    {"completed_with_skips", d.completed_with_skips},
                    {"failed", d.failed},
                    {"abandoned", d.abandoned},
                    {"healed", d.healed}});
  }
  json failing = json::array();
  for (const auto& f : r.failing_steps) {
    failing.push_back({{"step_id", f.step_id},
                       {"step_number", f.step_number},
                       {"field_label", Optional(f.field_label)},
                       {"failures", f.failures},
                       {"error_types", f.error_types}});
  }
  json runs = json::array();
  for (const auto& run : r.recent_runs) {
    runs.push_back({{"run_id", run.run_id},
                    {"status", run.status},
                    {"user_id", run.user_id},
                    {"error_type", Optional(run.error_type)},
                    {"created_at", core::FormatIsoMillis(run.created_at)}});
  }
  json healing = json::array();
  for (const auto& h : r.healing_events) {
    healing.push_back({{"step_id", h.step_id},
                       {"step_number", Optional(h.step_number)},
                       {"field_label", Optional(h.field_label)},
                       {"status", h.status},
                       {"healing_confidence", Optional(h.healing_confidence)},
                       {"page_url", Optional(h.page_url)},
                       {"created_at", core::FormatIsoMillis(h.created_at)}});
  }
  return {{"workflow_id", r.workflow_id},
          {"workflow_name", r.workflow_name},
          {"workflow", HealthFieldsJson(r.fields)},
          {"days", days},
          {"failing_steps", failing},
          {"recent_runs", runs},
          {"healing_events", healing}};
}

namespace {

json ParsedOrNull(const std::string& text) { return json::parse(text, nullptr, false); }

// The element's box as recorded in an element_meta document; null when it has none.
json BoxOf(const json& meta) {
  if (meta.is_object() && meta.contains("bounding_box") && meta["bounding_box"].is_object())
    return meta["bounding_box"];
  return nullptr;
}

json ImageSize(const std::optional<int64_t>& width, const std::optional<int64_t>& height) {
  return width && height ? json{{"width", *width}, {"height", *height}} : json(nullptr);
}

}  // namespace

json HealReviewJson(const services::HealReviewView& view, const BlobLink& link) {
  const auto& r = view.review;
  const auto& step = view.step;
  const json candidate = ParsedOrNull(r.candidate_json);
  const json meta = step ? ParsedOrNull(step->element_meta_json) : json(nullptr);
  const json page = step ? ParsedOrNull(step->page_context_json) : json(nullptr);
  json viewport = nullptr;
  if (page.is_object() && page.contains("viewport") && page["viewport"].is_object()) {
    viewport = {{"width", page["viewport"].value("width", 0)},
                {"height", page["viewport"].value("height", 0)}};
  }
  json votes = json::array();
  for (const auto& v : view.votes) {
    votes.push_back({{"user_id", Optional(v.user_id)},
                     {"user_name", Optional(v.user_name)},
                     {"vote", v.vote},
                     {"how", v.how},
                     {"admin", v.admin},
                     {"page_state_hash", v.page_state_hash},
                     {"created_at", core::FormatIsoMillis(v.created_at)}});
  }
  return {
      {"id", r.id},
      {"workflow_id", r.workflow_id},
      {"workflow_name", step ? step->workflow_name : std::string()},
      {"step_id", r.step_id},
      {"step_number", step ? step->step_number : 1},
      {"field_label", step ? Optional(step->field_label) : json(nullptr)},
      {"status", r.status},
      {"confidence", r.confidence},
      {"method", r.method},
      {"selector", r.selector},
      {"previous_selector", Optional(r.previous_selector)},
      {"recorded_box", BoxOf(meta)},
      {"candidate_box",
       candidate.is_object() ? BoxOf(candidate.value("element_meta", json(nullptr))) : json(nullptr)},
      {"recorded_screenshot_url",
       step && step->screenshot_key ? json(link(*step->screenshot_key)) : json(nullptr)},
      {"current_screenshot_url",
       r.current_screenshot_key ? json(link(*r.current_screenshot_key)) : json(nullptr)},
      {"recorded_image", step ? ImageSize(step->screenshot_width, step->screenshot_height) : json(nullptr)},
      {"recorded_viewport", viewport},
      {"current_image", ImageSize(r.current_width, r.current_height)},
      {"page_url", Optional(r.page_url)},
      {"created_at", core::FormatIsoMillis(r.created_at)},
      {"decided_at", OptionalTimeMillis(r.decided_at)},
      {"decided_by", Optional(r.decided_by)},
      {"resolution", Optional(r.resolution)},
      {"votes", votes}};
}

}  // namespace stepwise::api
