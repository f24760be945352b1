#include "ai/slots.hpp"

#include <hiredis/hiredis.h>

#include <chrono>
#include <stop_token>

#include "core/crypto.hpp"
#include "core/errors.hpp"
#include "core/time.hpp"
#include "storage/redis/redis.hpp"

namespace stepwise::ai {

namespace {

class LocalSlots : public Slots {
 public:
  explicit LocalSlots(int limit) : free_(limit) {}
  std::string Acquire(int64_t wait_ms) override {
    std::unique_lock lock(mu_);
    const bool got =
        cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stopped_ || free_ > 0; });
    if (stopped_) throw core::Interrupted();
    if (!got) return {};
    --free_;
    return "local";
  }
  void Release(const std::string&) override {
    {
      std::lock_guard lock(mu_);
      ++free_;
    }
    cv_.notify_one();
  }
  void Stop() override {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int free_;
  bool stopped_ = false;
};

// Expired leases are dropped, then a lease is added when fewer than the limit are held. Redis'
// own clock, so that processes on hosts whose clocks differ agree.
constexpr const char* kAcquire = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return 1
end
return 0
)lua";

class RedisSlots : public Slots {
 public:
  RedisSlots(storage::Redis& redis, std::string key, int limit, int64_t lease_ms)
      : redis_(redis), key_(std::move(key)), limit_(limit), lease_ms_(lease_ms) {}

  std::string Acquire(int64_t wait_ms) override {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    std::string token = core::RandomToken(12);
    int backoff_ms = 5;
    const std::stop_token stop = stop_.get_token();
    while (!stop.stop_requested()) {
      try {
        auto r = redis_.Command(
            {"EVAL", kAcquire, "1", key_, std::to_string(limit_), std::to_string(lease_ms_), token});
        if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) return token;
      } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): Redis away; wait and retry
      }
      if (std::chrono::steady_clock::now() >= deadline) return {};
      if (!core::SleepUnlessStopped(stop, std::chrono::milliseconds(backoff_ms))) break;
      backoff_ms = std::min(backoff_ms * 2, 50);
    }
    throw core::Interrupted();
  }

  void Release(const std::string& token) override {
    try {
      redis_.Command({"ZREM", key_, token});
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the lease expires by itself
    }
  }

  void Stop() override { stop_.request_stop(); }

 private:
  storage::Redis& redis_;
  std::string key_;
  int limit_;
  int64_t lease_ms_;
  std::stop_source stop_;
};

}  // namespace

std::unique_ptr<Slots> MakeLocalSlots(int limit) { return std::make_unique<LocalSlots>(limit); }
std::unique_ptr<Slots> MakeRedisSlots(storage::Redis& redis, const std::string& key, int limit,
                                      int64_t lease_ms) {
  return std::make_unique<RedisSlots>(redis, key, limit, lease_ms);
}

}  // namespace stepwise::ai
