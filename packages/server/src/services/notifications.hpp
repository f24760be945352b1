#pragma once
// Admin alerts: stored per company, pushed on the event stream. At most one open (unread) alert
// per workflow and type: no alert storms.
#include <optional>
#include <string>
#include <vector>

#include "jobs/queue.hpp"
#include "services/accounts.hpp"
#include "services/events.hpp"
#include "storage/db/database.hpp"
#include "storage/db/notifications.hpp"

namespace stepwise::services {

struct NewNotification {
  int64_t company_id = 0;
  std::optional<int64_t> workflow_id;
  std::string type;
  std::string severity;  // info, warning, error
  std::string title;
  std::optional<std::string> message;
  std::optional<std::string> action_url;
};

struct NotificationPage {
  std::vector<storage::NotificationRecord> items;
  std::optional<int64_t> next_cursor;
  int64_t unread = 0;
};

// A notification as a message (the contract's Notification): what this service publishes on the
// event bus (SSE `notification`) and hands to the webhook job, and what the API lists — one shape
// for all three, so it is built here, where the messages are sent, and api/ reuses it.
nlohmann::json NotificationJson(const storage::NotificationRecord& n);

class NotificationService {
 public:
  // With `queue`, error and warning alerts are also sent to the company's webhook (a job).
  NotificationService(storage::Database& db, EventBus& events, std::string dashboard_url,
                      jobs::Queue* queue = nullptr)
      : db_(db), events_(events), dashboard_url_(std::move(dashboard_url)), queue_(queue) {}

  // In the caller's transaction. nullopt when an alert of this workflow and type is still open.
  // Call Announce() with the result after the commit.
  std::optional<storage::NotificationRecord> CreateIn(soci::session& sql, const NewNotification& n);
  void Announce(const storage::NotificationRecord& n);
  // The dashboard page of a workflow.
  std::string WorkflowUrl(int64_t workflow_id, const std::string& page = "") const;

  NotificationPage List(const Caller& caller, bool unread_only, std::optional<int64_t> cursor, int limit);
  int64_t UnreadCount(const Caller& caller);
  storage::NotificationRecord MarkRead(const Caller& caller, int64_t id);
  int64_t MarkAllRead(const Caller& caller);

 private:
  bool HasWebhook(soci::session& sql, int64_t company_id);
  storage::Database& db_;
  EventBus& events_;
  std::string dashboard_url_;
  jobs::Queue* queue_;
};

}  // namespace stepwise::services
