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

}  // namespace stepwise::api
