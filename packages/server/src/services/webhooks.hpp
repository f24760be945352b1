#pragma once
// Error and warning alerts to a company's webhook (settings.webhook_url, e.g. a chat channel):
// JSON, signed with HMAC-SHA256 under a per-company key, delivered by a job so that failures are
// retried with backoff.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "storage/db/database.hpp"

namespace stepwise::services {

// The company's webhook URL (settings.webhook_url), when one is set.
std::optional<std::string> WebhookUrl(const std::string& settings_json);

class WebhookService {
 public:
  static constexpr const char* kDeliver = "deliver_webhook";

  // `key` is a server secret the per-company keys derive from. `allow_private`: webhooks may
  // reach loopback and private addresses (WEBHOOK_ALLOW_PRIVATE, intranet installs).
  WebhookService(storage::Database& db, std::string key, bool allow_private)
      : db_(db), key_(std::move(key)), allow_private_(allow_private) {}

  std::string Secret(int64_t company_id) const;
  // Why `url` may not be a webhook under the egress policy (resolving its host), or empty.
  std::string CheckUrl(const std::string& url) const;
  // The job: POSTs `notification` to the company's webhook, if it has one. Throws on a failed
  // delivery (the queue retries); a destination the egress policy refuses is logged and dropped.
  void Deliver(int64_t company_id, const nlohmann::json& notification);

 private:
  storage::Database& db_;
  std::string key_;
  bool allow_private_;
};

}  // namespace stepwise::services
