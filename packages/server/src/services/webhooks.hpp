#pragma once
// Error and warning alerts to a company's webhook (settings.webhook_url, e.g. a chat channel):
// JSON, signed with HMAC-SHA256 under a per-company key, delivered by a job so that failures are
// retried with backoff.
#include <string>

#include <nlohmann/json.hpp>

#include "storage/db/database.hpp"

namespace stepwise::services {

class WebhookService {
 public:
  static constexpr const char* kDeliver = "deliver_webhook";

  // `key` is a server secret the per-company keys derive from.
  WebhookService(storage::Database& db, std::string key) : db_(db), key_(std::move(key)) {}

  std::string Secret(int64_t company_id) const;
  // The job: POSTs `notification` to the company's webhook, if it has one. Throws on a failed
  // delivery (the queue retries).
  void Deliver(int64_t company_id, const nlohmann::json& notification);

 private:
  storage::Database& db_;
  std::string key_;
};

}  // namespace stepwise::services
