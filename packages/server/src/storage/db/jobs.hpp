#pragma once
// The `jobs` table (the embedded queue's jobs and the Redis queue's outbox) and `job_schedule`
// (when each periodic task runs next): the SQL of the jobs layer.
#include <optional>
#include <string>
#include <vector>

#include "storage/db/database.hpp"

namespace stepwise::storage {

struct JobRow {
  int64_t id = 0;
  std::string type;
  std::string payload;
  int attempts = 0;  // deliveries so far, this one included once claimed
  int max_attempts = 5;
  int64_t run_at = 0;
};

class JobTable {
 public:
  explicit JobTable(Database& db) : db_(db) {}

  void Insert(soci::session& sql, const std::string& state, const std::string& type,
              const std::string& payload, int64_t run_at, int max_attempts);
  // Leases up to `max` rows in `state` that are due (or whose lease ran out) to `owner`, counting
  // an attempt. One statement: SKIP LOCKED on PostgreSQL, the database lock on SQLite.
  std::vector<JobRow> Claim(const std::string& state, const std::string& owner, int max, int64_t now_ms,
                            int64_t lease_ms);
  // The rows `owner` holds among `ids` are leased until `until`.
  void Extend(const std::vector<int64_t>& ids, const std::string& owner, int64_t until);
  // The row, when `owner` still holds its lease, is deleted / rescheduled / dead-lettered.
  void Delete(int64_t id, const std::string& owner);
  void DeleteMany(const std::vector<int64_t>& ids);
  // Outbox rows handed to Redis stay in the table (the record of the job until it is done): their
  // lease says when the relay may hand them over again, should Redis have lost them.
  void HandedOver(const std::vector<int64_t>& ids, int64_t until);
  // A handed-over job's row: done (deleted), or rescheduled in Redis (attempts, run_at, lease).
  void DeleteHanded(int64_t id);
  void RescheduleHanded(int64_t id, int attempts, int64_t run_at, int64_t until);
  // Every handed-over row may be handed over again now (Redis lost its data); returns how many.
  int64_t ReleaseHanded();
  void Retry(int64_t id, const std::string& owner, int64_t run_at, const std::string& error);
  void Dead(int64_t id, const std::string& owner, const std::string& error);

 private:
  Database& db_;
};

// Periodic tasks: one process wins each due slot, across all processes sharing the database.
class ScheduleTable {
 public:
  explicit ScheduleTable(Database& db) : db_(db) {}
  // True when this caller moved task `name` from due (next run at or before `now_ms`, or never
  // run) to `next_ms`: it runs the task now, nobody else does.
  bool TryTake(const std::string& name, int64_t now_ms, int64_t next_ms);

 private:
  Database& db_;
};

}  // namespace stepwise::storage
