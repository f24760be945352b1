// The Redis backend: a stream read by one consumer group, a sorted set of delayed retries, a
// dead-letter stream, and the database outbox in front of it all.
#include <hiredis/hiredis.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "core/log.hpp"
#include "core/time.hpp"
#include "jobs/queue.hpp"
#include "storage/db/jobs.hpp"
#include "storage/redis/redis.hpp"

namespace stepwise::jobs {

namespace {

// Moves due retries from the delayed set to the stream, atomically.
constexpr const char* kPromoteScript = R"lua(
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 200)
for _, m in ipairs(due) do
  if redis.call('ZREM', KEYS[1], m) == 1 then redis.call('XADD', KEYS[2], '*', 'job', m) end
end
return #due
)lua";

std::string Str(const redisReply* r) {
  if (r == nullptr || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)) return {};
  return std::string(r->str, r->len);
}

class RedisQueue : public Queue {
 public:
  RedisQueue(storage::Database& db, storage::Redis& redis, const std::string& prefix)
      : Queue(db),
        redis_(redis),
        table_(db),
        stream_(prefix + ":jobs"),
        delayed_(prefix + ":jobs:delayed"),
        dead_(prefix + ":jobs:dead"),
        epoch_(prefix + ":jobs:epoch"),
        relay_owner_("relay-" + std::to_string(::getpid())) {}

  void EnqueueIn(soci::session& sql, const std::string& type, const nlohmann::json& payload,
                 const EnqueueOptions& options) override {
    table_.Insert(sql, "outbox", type, payload.dump(), core::NowMillis() + options.delay_ms,
                  options.max_attempts);
  }

  void Flush() override {
    std::unique_lock lock(flush_mu_, std::try_to_lock);
    if (!lock.owns_lock()) return;  // another thread is handing the outbox over right now
    try {
      EnsureGroup();
      CheckEpoch();
      for (;;) {
        auto rows = table_.Claim("outbox", relay_owner_, 200, core::NowMillis(), 10000);
        if (rows.empty()) break;
        std::vector<int64_t> sent;
        for (const auto& r : rows) {
          nlohmann::json m = {
              {"type", r.type}, {"attempts", r.attempts}, {"max_attempts", r.max_attempts}, {"db_id", r.id}};
          m["payload"] = nlohmann::json::parse(r.payload, nullptr, false);
          const std::string text = m.dump();
          if (r.run_at > core::NowMillis()) {
            redis_.Command({"ZADD", delayed_, std::to_string(r.run_at), text});
          } else {
            redis_.Command({"XADD", stream_, "*", "job", text});
          }
          sent.push_back(r.id);
        }
        table_.HandedOver(sent, core::NowMillis() + kHandedLeaseMs);
        if (rows.size() < 200) break;
      }
      if (outbox_warned_.exchange(false)) core::LogInfo("redis is back: job outbox handed over");
    } catch (const std::exception& e) {
      // Redis is down: the jobs wait in the outbox; the next Flush hands them over.
      if (!outbox_warned_.exchange(true)) core::LogWarn("job outbox waits for redis", {{"error", e.what()}});
    }
  }

  std::vector<Job> Claim(const std::string& owner, int max, int64_t visibility_ms, int64_t wait_ms) override {
    std::vector<Job> jobs;
    try {
      EnsureGroup();
      Promote();
      const auto now = std::chrono::steady_clock::now();
      if (now - last_autoclaim_ > std::chrono::milliseconds(500)) {
        last_autoclaim_ = now;
        auto reply = redis_.Command({"XAUTOCLAIM", stream_, kGroup, owner, std::to_string(visibility_ms),
                                     "0-0", "COUNT", std::to_string(max)});
        if (reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2) Parse(reply->element[1], owner, jobs);
      }
      if (static_cast<int>(jobs.size()) < max) {
        const int64_t block = std::clamp<int64_t>(wait_ms, 1, 500);
        auto reply = redis_.Command({"XREADGROUP", "GROUP", kGroup, owner, "COUNT",
                                     std::to_string(max - static_cast<int>(jobs.size())), "BLOCK",
                                     std::to_string(block), "STREAMS", stream_, ">"});
        if (reply->type == REDIS_REPLY_ARRAY) {
          for (size_t i = 0; i < reply->elements; ++i) {
            const redisReply* s = reply->element[i];
            if (s->type == REDIS_REPLY_ARRAY && s->elements == 2) Parse(s->element[1], owner, jobs);
          }
        }
      }
    } catch (const std::exception& e) {
      // Redis came back without its data (no persistence, a failover): make the group again.
      if (std::string(e.what()).find("NOGROUP") != std::string::npos) group_ready_ = false;
      LogOutage(e);
      std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp<int64_t>(wait_ms, 1, 500)));
    }
    return jobs;
  }

  void Extend(const std::vector<Job>& jobs, int64_t /*visibility_ms*/) override {
    // XCLAIM with JUSTID resets an entry's idle time (XAUTOCLAIM's measure of a lease) and
    // leaves it with its consumer; one call per consumer.
    std::map<std::string, std::vector<std::string>> by_owner;
    for (const auto& j : jobs) by_owner[j.owner].push_back(j.id);
    for (const auto& [owner, ids] : by_owner) {
      std::vector<std::string> cmd = {"XCLAIM", stream_, kGroup, owner, "0"};
      cmd.insert(cmd.end(), ids.begin(), ids.end());
      cmd.emplace_back("JUSTID");
      redis_.Command(cmd);
    }
    // The records of running jobs are alive: not handed over again meanwhile.
    std::vector<int64_t> records;
    for (const auto& j : jobs)
      if (j.record_id > 0) records.push_back(j.record_id);
    table_.HandedOver(records, core::NowMillis() + kHandedLeaseMs);
  }

  void Ack(const Job& job) override {
    AckStream(job);
    if (job.record_id > 0) table_.DeleteHanded(job.record_id);
  }

  void Fail(const Job& job, const std::string& error, int64_t retry_in_ms, bool permanent) override {
    nlohmann::json m = {{"type", job.type},
                        {"payload", job.payload},
                        {"attempts", job.attempt},
                        {"max_attempts", job.max_attempts}};
    if (job.record_id > 0) m["db_id"] = job.record_id;
    if (permanent || job.attempt >= job.max_attempts) {
      m["error"] = error.substr(0, 2000);
      redis_.Command({"XADD", dead_, "MAXLEN", "~", "100000", "*", "job", m.dump()});
      Ack(job);  // the dead letter is in Redis; the record is done
    } else {
      const int64_t run_at = core::NowMillis() + retry_in_ms;
      redis_.Command({"ZADD", delayed_, std::to_string(run_at), m.dump()});
      AckStream(job);
      if (job.record_id > 0)
        table_.RescheduleHanded(job.record_id, job.attempt, run_at, run_at + kHandedLeaseMs);
    }
  }

  const char* Name() const override { return "redis"; }

 private:
  static constexpr const char* kGroup = "workers";
  // A handed-over job with no sign of life (handed, renewed while it runs, retried) for this long
  // is handed over again: Redis lost it without losing everything (a partial AOF), or a bug did.
  static constexpr int64_t kHandedLeaseMs = 3600 * 1000;

  void AckStream(const Job& job) {
    redis_.Command({"XACK", stream_, kGroup, job.id});
    redis_.Command({"XDEL", stream_, job.id});
  }

  // Redis keeps a marker key while it keeps its data. When it is missing (a Redis restarted
  // without persistence, a failover to an empty replica, a new Redis), what Redis held is gone:
  // the one process that sets the marker again hands every job recorded as handed over again.
  void CheckEpoch() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_epoch_check_ < std::chrono::milliseconds(500)) return;
    last_epoch_check_ = now;
    auto reply = redis_.Command({"SET", epoch_, std::to_string(core::NowMillis()), "NX"});
    if (reply->type != REDIS_REPLY_STATUS) return;  // the marker is there: nothing was lost
    const int64_t again = table_.ReleaseHanded();
    if (again > 0)
      core::LogWarn("redis lost its jobs (its data is gone): handing them over again from the database",
                    {{"jobs", again}});
  }

  void EnsureGroup() {
    if (group_ready_.load()) return;
    try {
      redis_.Command({"XGROUP", "CREATE", stream_, kGroup, "0", "MKSTREAM"});
    } catch (const std::exception& e) {
      if (std::string(e.what()).find("BUSYGROUP") == std::string::npos) throw;
    }
    group_ready_ = true;
  }

  void Promote() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_promote_ < std::chrono::milliseconds(100)) return;
    last_promote_ = now;
    redis_.Command({"EVAL", kPromoteScript, "2", delayed_, stream_, std::to_string(core::NowMillis())});
  }

  void Parse(const redisReply* entries, const std::string& owner, std::vector<Job>& out) {
    if (entries == nullptr || entries->type != REDIS_REPLY_ARRAY) return;
    for (size_t i = 0; i < entries->elements; ++i) {
      const redisReply* e = entries->element[i];
      if (e == nullptr || e->type != REDIS_REPLY_ARRAY || e->elements < 2) continue;
      const std::string id = Str(e->element[0]);
      const redisReply* fields = e->element[1];
      std::string text;
      if (fields != nullptr && fields->type == REDIS_REPLY_ARRAY) {
        for (size_t f = 0; f + 1 < fields->elements; f += 2) {
          if (Str(fields->element[f]) == "job") text = Str(fields->element[f + 1]);
        }
      }
      auto m = nlohmann::json::parse(text, nullptr, false);
      if (!m.is_object() || !m.contains("type")) {
        // Not ours or damaged: drop it rather than loop on it.
        redis_.Command({"XACK", stream_, kGroup, id});
        redis_.Command({"XDEL", stream_, id});
        continue;
      }
      Job j;
      j.id = id;
      j.type = m.value("type", "");
      j.payload = m.value("payload", nlohmann::json::object());
      j.attempt = m.value("attempts", 0) + 1;
      j.max_attempts = m.value("max_attempts", 5);
      j.record_id = m.value("db_id", int64_t{0});
      j.owner = owner;
      out.push_back(std::move(j));
    }
  }

  void LogOutage(const std::exception& e) {
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(log_mu_);
    if (now - last_outage_log_ > std::chrono::seconds(10)) {
      last_outage_log_ = now;
      core::LogWarn("job queue: redis unreachable", {{"error", e.what()}});
    }
  }

  storage::Redis& redis_;
  storage::JobTable table_;
  std::string stream_, delayed_, dead_, epoch_, relay_owner_;
  std::atomic<bool> group_ready_{false};
  std::atomic<bool> outbox_warned_{false};
  std::mutex flush_mu_;
  std::mutex log_mu_;
  // Per-process pacing; races between worker threads only change how often these run.
  std::chrono::steady_clock::time_point last_promote_{}, last_autoclaim_{}, last_outage_log_{},
      last_epoch_check_{};
};

}  // namespace

std::unique_ptr<Queue> MakeRedisQueue(storage::Database& db, storage::Redis& redis,
                                      const std::string& prefix) {
  return std::make_unique<RedisQueue>(db, redis, prefix);
}

}  // namespace stepwise::jobs
