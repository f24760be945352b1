#pragma once
// Admin alerts of a company. Every query is scoped by company_id.
#include <optional>
#include <string>
#include <vector>

#include "storage/db/database.hpp"

namespace stepwise::storage {

struct NotificationRecord {
  int64_t id = 0;
  int64_t company_id = 0;
  std::optional<int64_t> workflow_id;
  std::string type;
  std::string severity;
  std::string title;
  std::optional<std::string> message;
  std::optional<std::string> action_url;
  bool read = false;
  std::optional<int64_t> read_at;
  int64_t created_at = 0;
};

class NotificationRepository {
 public:
  NotificationRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}

  int64_t Insert(const NotificationRecord& n);
  // An unread notification of this workflow and type (the one alert that is open).
  std::optional<int64_t> FindOpen(int64_t company_id, int64_t workflow_id, const std::string& type);
  std::optional<NotificationRecord> Find(int64_t company_id, int64_t id);
  // Newest first; ids below `before` when set.
  std::vector<NotificationRecord> List(int64_t company_id, bool unread_only, std::optional<int64_t> before,
                                       int limit);
  int64_t CountUnread(int64_t company_id);
  void MarkRead(int64_t company_id, int64_t id, int64_t user_id, int64_t now);
  int64_t MarkAllRead(int64_t company_id, int64_t user_id, int64_t now);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

}  // namespace stepwise::storage
