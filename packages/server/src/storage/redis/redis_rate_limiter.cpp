#include "storage/redis/redis_rate_limiter.hpp"

#include <hiredis/hiredis.h>

#include "core/log.hpp"
#include "core/time.hpp"

namespace stepwise::storage {

namespace {
constexpr int64_t kWindowMs = 60'000;

// KEYS: current window, previous window. ARGV: limit, weight of the previous window (1 - elapsed).
// Returns {allowed, current, previous}; counts the request only when it is allowed.
constexpr const char* kScript = R"LUA(
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
if prev * tonumber(ARGV[2]) + cur + 1 > tonumber(ARGV[1]) then return {0, cur, prev} end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 120000)
return {1, cur + 1, prev}
)LUA";
}  // namespace

int RedisRateLimiter::Hit(std::string_view key, int limit_per_minute) {
  if (limit_per_minute <= 0) return 0;
  const int64_t now = core::NowMillis();
  const int64_t window = now / kWindowMs;
  const double elapsed = static_cast<double>(now % kWindowMs) / kWindowMs;
  const std::string base = "stepwise:rl:" + std::string(key) + ":";
  try {
    auto reply = redis_.Command({"EVAL", kScript, "2", base + std::to_string(window),
                                 base + std::to_string(window - 1), std::to_string(limit_per_minute),
                                 std::to_string(1.0 - elapsed)});
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) return 0;
    if (reply->element[0]->integer == 1) return 0;
    return core::SlidingWindowWait(static_cast<int>(reply->element[2]->integer),
                                   static_cast<int>(reply->element[1]->integer), elapsed, limit_per_minute);
  } catch (const std::exception& e) {
    core::LogWarn("rate limiter unavailable; allowing the request", {{"error", e.what()}});
    return 0;
  }
}

}  // namespace stepwise::storage
