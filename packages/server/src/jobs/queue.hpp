#pragma once
// The job queue: one interface, two backends.
//   embedded (default): a durable `jobs` table in the main database; leases with a visibility
//     timeout; PostgreSQL claims with FOR UPDATE SKIP LOCKED, SQLite with one atomic UPDATE.
//   redis (REDIS_URL): a Redis Streams consumer group, XAUTOCLAIM for jobs whose worker died, a
//     sorted set for delayed retries and a dead-letter stream. Jobs are first written to the
//     database (an outbox, in the transaction that asks for them) and handed to Redis after the
//     commit — a job is never lost, also when Redis is down at enqueue time. The row stays until
//     the job is done (Redis carries the work, the database keeps the record): when Redis comes
//     back without its data (a marker key is gone), every job it held is handed over again, and a
//     row not done within an hour of its last sign of life is handed over again anyway.
// Tasks must be idempotent: a job may run twice (a worker killed after its work, before its ack).
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace soci {
class session;
}

namespace stepwise::storage {
class Database;
class Redis;
}  // namespace stepwise::storage

namespace stepwise::jobs {

struct Job {
  std::string id;  // the backend's: a row id or a stream entry id
  std::string type;
  nlohmann::json payload;
  int attempt = 1;  // this delivery, from 1
  int max_attempts = 5;
  std::string owner;      // the lease holder (the worker that claimed it)
  int64_t record_id = 0;  // Redis: the job's row in the database, kept until the job is done
};

struct EnqueueOptions {
  int64_t delay_ms = 0;
  int max_attempts = 5;
};

// Thrown by a task when retrying cannot help: the job goes to the dead letter at once.
class PermanentFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Queue {
 public:
  virtual ~Queue() = default;
  // Writes the job in the caller's transaction: it exists if and only if that commits. Call
  // Flush() after the commit.
  virtual void EnqueueIn(soci::session& sql, const std::string& type, const nlohmann::json& payload,
                         const EnqueueOptions& options = {}) = 0;
  // In a transaction of its own, then flushed.
  void Enqueue(const std::string& type, const nlohmann::json& payload, const EnqueueOptions& options = {});
  // Hands committed jobs over: wakes local workers (embedded) or moves the outbox to Redis.
  // Never throws; what cannot be handed over now is retried by the next call.
  virtual void Flush() = 0;
  // Up to `max` ready jobs leased to `owner` for `visibility_ms`; waits up to `wait_ms` for one.
  virtual std::vector<Job> Claim(const std::string& owner, int max, int64_t visibility_ms,
                                 int64_t wait_ms) = 0;
  // Renews the leases of `jobs` (claimed by their owner and still running) for `visibility_ms`
  // from now. A worker renews every third of its lease, so a short lease means a job whose worker
  // died comes back soon, and a long job is never taken from a live worker.
  virtual void Extend(const std::vector<Job>& jobs, int64_t visibility_ms) = 0;
  virtual void Ack(const Job& job) = 0;
  // The job failed: it runs again in `retry_in_ms`, or goes to the dead letter when `permanent`
  // or when this was its last attempt.
  virtual void Fail(const Job& job, const std::string& error, int64_t retry_in_ms, bool permanent) = 0;
  virtual const char* Name() const = 0;

 protected:
  explicit Queue(storage::Database& db) : db_(db) {}
  storage::Database& db_;
};

std::unique_ptr<Queue> MakeEmbeddedQueue(storage::Database& db);
// `prefix` names the keys: <prefix>:jobs (stream), <prefix>:jobs:delayed, <prefix>:jobs:dead.
std::unique_ptr<Queue> MakeRedisQueue(storage::Database& db, storage::Redis& redis,
                                      const std::string& prefix);

// Exponential backoff with full jitter: base × 2^(attempt-1), capped, times a random factor in
// [0.5, 1.0].
int64_t BackoffMs(int attempt, int64_t base_ms = 1000, int64_t cap_ms = 60000);

}  // namespace stepwise::jobs
