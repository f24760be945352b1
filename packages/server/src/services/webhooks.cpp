#include "services/webhooks.hpp"

#include "core/crypto.hpp"
#include "core/log.hpp"
#include "net/http_client.hpp"
#include "storage/db/repositories.hpp"

namespace stepwise::services {

std::string WebhookService::Secret(int64_t company_id) const {
  return core::HmacSha256Hex(key_, "stepwise webhook v1:" + std::to_string(company_id));
}

std::string WebhookService::CheckUrl(const std::string& url) const {
  return net::CheckUrl(url, net::EgressPolicy::Tenant(allow_private_));
}

std::optional<std::string> WebhookUrl(const std::string& settings_json) {
  const auto settings = nlohmann::json::parse(settings_json, nullptr, false);
  if (!settings.is_object() || !settings.contains("webhook_url") || !settings["webhook_url"].is_string())
    return std::nullopt;
  auto url = settings["webhook_url"].get<std::string>();
  if (url.empty()) return std::nullopt;
  return url;
}

void WebhookService::Deliver(int64_t company_id, const nlohmann::json& notification) {
  auto company = db_.Read([&](soci::session& sql) {
    return storage::CompanyRepository(sql, db_.GetDialect()).FindById(company_id);
  });
  if (!company) return;
  const auto configured = WebhookUrl(company->settings_json);
  if (!configured) return;  // removed since the alert was raised
  const std::string& url = *configured;
  nlohmann::json body = notification;
  body["company_id"] = company_id;
  // A chat channel shows `text`; everything else reads the fields.
  body["text"] = notification.value("title", std::string()) + ": " +
                 (notification.contains("message") && notification["message"].is_string()
                      ? notification["message"].get<std::string>()
                      : std::string());
  const std::string text = body.dump();
  net::HttpResult res;
  try {
    res = net::PostJson(url,
                        {"Content-Type: application/json", "User-Agent: Stepwise-Webhook/1",
                         "X-Stepwise-Event: " + notification.value("type", std::string()),
                         "X-Stepwise-Delivery: " + std::to_string(notification.value("id", int64_t{0})),
                         "X-Stepwise-Signature: sha256=" + core::HmacSha256Hex(Secret(company_id), text)},
                        text, net::EgressPolicy::Tenant(allow_private_));
  } catch (const net::TransportError& e) {
    if (e.GetKind() != net::TransportError::Kind::kRefused) throw;
    // Saved before the policy changed, or a name that now resolves elsewhere: retrying will not help.
    core::LogWarn("webhook refused by the egress policy", {{"company_id", company_id}, {"reason", e.what()}});
    return;
  }
  if (res.status < 200 || res.status >= 300) {
    throw std::runtime_error("webhook answered " + std::to_string(res.status));
  }
}

}  // namespace stepwise::services
