#include "services/notifications.hpp"

#include "core/errors.hpp"
#include "core/time.hpp"
#include "services/webhooks.hpp"
#include "storage/db/repositories.hpp"

namespace stepwise::services {

using storage::NotificationRepository;

nlohmann::json NotificationJson(const storage::NotificationRecord& n) {
  auto opt = [](const auto& v) -> nlohmann::json { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {
      {"id", n.id},
      {"workflow_id", opt(n.workflow_id)},
      {"type", n.type},
      {"severity", n.severity},
      {"title", n.title},
      {"message", opt(n.message)},
      {"action_url", opt(n.action_url)},
      {"read", n.read},
      {"read_at", n.read_at ? nlohmann::json(core::FormatIsoMillis(*n.read_at)) : nlohmann::json(nullptr)},
      {"created_at", core::FormatIsoMillis(n.created_at)}};
}

bool NotificationService::HasWebhook(soci::session& sql, int64_t company_id) {
  const auto company = storage::CompanyRepository(sql, db_.GetDialect()).FindById(company_id);
  return company && WebhookUrl(company->settings_json).has_value();
}

std::optional<storage::NotificationRecord> NotificationService::CreateIn(soci::session& sql,
                                                                         const NewNotification& n) {
  NotificationRepository repo(sql, db_.GetDialect());
  if (n.workflow_id && repo.FindOpen(n.company_id, *n.workflow_id, n.type)) return std::nullopt;
  storage::NotificationRecord r;
  r.company_id = n.company_id;
  r.workflow_id = n.workflow_id;
  r.type = n.type;
  r.severity = n.severity;
  r.title = n.title;
  r.message = n.message;
  r.action_url = n.action_url;
  r.created_at = core::NowMillis();
  r.id = repo.Insert(r);
  // Error and warning alerts go to the webhook configured when they are raised (the delivery
  // reads the URL again, and sends nothing when it was removed meanwhile).
  if (queue_ != nullptr && (r.severity == "error" || r.severity == "warning") &&
      HasWebhook(sql, r.company_id)) {
    queue_->EnqueueIn(sql, WebhookService::kDeliver,
                      {{"company_id", r.company_id}, {"notification", NotificationJson(r)}},
                      jobs::EnqueueOptions{0, 8});
  }
  return r;
}

void NotificationService::Announce(const storage::NotificationRecord& n) {
  if (queue_ != nullptr && (n.severity == "error" || n.severity == "warning")) queue_->Flush();
  events_.Publish(n.company_id, "notification", NotificationJson(n), /*admins_only=*/true);
}

std::string NotificationService::WorkflowUrl(int64_t workflow_id, const std::string& page) const {
  std::string base = dashboard_url_;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/workflows/" + std::to_string(workflow_id) + (page.empty() ? "" : "/" + page);
}

NotificationPage NotificationService::List(const Caller& caller, bool unread_only,
                                           std::optional<int64_t> cursor, int limit) {
  return db_.Read([&](soci::session& sql) {
    NotificationRepository repo(sql, db_.GetDialect());
    NotificationPage page;
    page.items = repo.List(caller.company_id, unread_only, cursor, limit + 1);
    if (static_cast<int>(page.items.size()) > limit) {
      page.items.resize(static_cast<size_t>(limit));
      page.next_cursor = page.items.back().id;
    }
    page.unread = repo.CountUnread(caller.company_id);
    return page;
  });
}

int64_t NotificationService::UnreadCount(const Caller& caller) {
  return db_.Read([&](soci::session& sql) {
    return NotificationRepository(sql, db_.GetDialect()).CountUnread(caller.company_id);
  });
}

storage::NotificationRecord NotificationService::MarkRead(const Caller& caller, int64_t id) {
  return db_.Transaction([&](soci::session& sql) {
    NotificationRepository repo(sql, db_.GetDialect());
    repo.MarkRead(caller.company_id, id, caller.user_id, core::NowMillis());
    auto n = repo.Find(caller.company_id, id);
    if (!n) throw core::NotFound("NOTIFICATION_NOT_FOUND", "Notification not found");
    return *n;
  });
}

int64_t NotificationService::MarkAllRead(const Caller& caller) {
  return db_.Transaction([&](soci::session& sql) {
    return NotificationRepository(sql, db_.GetDialect())
        .MarkAllRead(caller.company_id, caller.user_id, core::NowMillis());
  });
}

}  // namespace stepwise::services
