#include "storage/db/notifications.hpp"

#include "storage/db/repositories.hpp"
#include "storage/db/soci_optional.hpp"

namespace stepwise::storage {

namespace {

constexpr const char* kColumns =
    "id, company_id, workflow_id, type, severity, title, message, action_url, read, read_at, created_at";

struct Row {
  NotificationRecord rec;
  int read = 0;
  std::optional<std::string> read_at;
  std::string created_at;
};

void Bind(soci::statement& st, Row& row) {
  st.exchange(soci::into(row.rec.id));
  st.exchange(soci::into(row.rec.company_id));
  st.exchange(soci::into(row.rec.workflow_id));
  st.exchange(soci::into(row.rec.type));
  st.exchange(soci::into(row.rec.severity));
  st.exchange(soci::into(row.rec.title));
  st.exchange(soci::into(row.rec.message));
  st.exchange(soci::into(row.rec.action_url));
  st.exchange(soci::into(row.read));
  st.exchange(soci::into(row.read_at));
  st.exchange(soci::into(row.created_at));
}

NotificationRecord Finish(Row& row) {
  NotificationRecord r = row.rec;
  r.read = row.read != 0;
  r.read_at = ReadOptionalDbTime(row.read_at);
  r.created_at = ReadDbTime(row.created_at);
  return r;
}

}  // namespace

int64_t NotificationRepository::Insert(const NotificationRecord& n) {
  const std::string created = DbTime(n.created_at);
  const std::string sql_text =
      "INSERT INTO notifications (company_id, workflow_id, type, severity, title, message, action_url, read, "
      "created_at) VALUES (:c, :w, :t, :s, :ti, :m, :u, 0, :at)";
  int64_t id = 0;
  sql_ << sql_text + " RETURNING id", soci::use(n.company_id), soci::use(n.workflow_id), soci::use(n.type),
      soci::use(n.severity), soci::use(n.title), soci::use(n.message), soci::use(n.action_url),
      soci::use(created), soci::into(id);
  return id;
}

std::optional<int64_t> NotificationRepository::FindOpen(int64_t company_id, int64_t workflow_id,
                                                        const std::string& type) {
  int64_t id = 0;
  soci::indicator ind = soci::i_null;
  sql_
      << "SELECT id FROM notifications WHERE company_id = :c AND workflow_id = :w AND type = :t AND read = 0 "
         "ORDER BY id DESC LIMIT 1",
      soci::use(company_id), soci::use(workflow_id), soci::use(type), soci::into(id, ind);
  if (!sql_.got_data() || ind != soci::i_ok) return std::nullopt;
  return id;
}

std::optional<NotificationRecord> NotificationRepository::Find(int64_t company_id, int64_t id) {
  Row row;
  soci::statement st(sql_);
  Bind(st, row);
  st.exchange(soci::use(company_id));
  st.exchange(soci::use(id));
  if (!FetchOne(sql_, st,
                std::string("SELECT ") + kColumns + " FROM notifications WHERE company_id = :c AND id = :i"))
    return std::nullopt;
  return Finish(row);
}

std::vector<NotificationRecord> NotificationRepository::List(int64_t company_id, bool unread_only,
                                                             std::optional<int64_t> before, int limit) {
  std::vector<NotificationRecord> out;
  Row row;
  const int64_t below = before.value_or(INT64_MAX);
  soci::statement st(sql_);
  Bind(st, row);
  st.exchange(soci::use(company_id));
  st.exchange(soci::use(below));
  st.exchange(soci::use(limit));
  PrepareBound(st, std::string("SELECT ") + kColumns +
                       " FROM notifications WHERE company_id = :c AND id < :b" +
                       (unread_only ? " AND read = 0" : "") + " ORDER BY id DESC LIMIT :l");
  st.execute();
  while (st.fetch()) out.push_back(Finish(row));
  return out;
}

int64_t NotificationRepository::CountUnread(int64_t company_id) {
  int64_t n = 0;
  sql_ << "SELECT COUNT(*) FROM notifications WHERE company_id = :c AND read = 0", soci::use(company_id),
      soci::into(n);
  return n;
}

void NotificationRepository::MarkRead(int64_t company_id, int64_t id, int64_t user_id, int64_t now) {
  const std::string at = DbTime(now);
  sql_ << "UPDATE notifications SET read = 1, read_by = :u, read_at = :at WHERE company_id = :c AND id = :i "
          "AND "
          "read = 0",
      soci::use(user_id), soci::use(at), soci::use(company_id), soci::use(id);
}

int64_t NotificationRepository::MarkAllRead(int64_t company_id, int64_t user_id, int64_t now) {
  const std::string at = DbTime(now);
  soci::statement st =
      (sql_.prepare << "UPDATE notifications SET read = 1, read_by = :u, read_at = :at WHERE "
                       "company_id = :c AND read = 0",
       soci::use(user_id), soci::use(at), soci::use(company_id));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace stepwise::storage
