#pragma once
#include "core/rate_limit.hpp"
#include "storage/redis/redis.hpp"

namespace stepwise::storage {

// The sliding-window limiter with its counters in Redis, so that every server process shares
// them. Checked and counted atomically in one Lua script. When Redis cannot be reached the
// request is allowed (and logged): a limiter outage must not lock everyone out.
class RedisRateLimiter : public core::RateLimiter {
 public:
  explicit RedisRateLimiter(Redis& redis) : redis_(redis) {}
  int Hit(std::string_view key, int limit_per_minute) override;

 private:
  Redis& redis_;
};

}  // namespace stepwise::storage
