#pragma once
// Request budgets per key ("login:ip:1.2.3.4", "user:42"), counted per minute. The in-process
// limiter serves one server; with REDIS_URL the counters live in Redis so that every process
// shares them.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace stepwise::core {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Counts one request for `key`. Returns 0 when it is within `limit_per_minute` requests in the
  // last minute, else the seconds until the next request is allowed. A limit of 0 turns it off.
  virtual int Hit(std::string_view key, int limit_per_minute) = 0;
};

// The sliding-window estimate both limiters use: `previous` requests in the last full minute,
// `current` so far in this one, `elapsed` (0..1) of this minute gone. Returns 0 when one more
// request fits in `limit`, else the seconds until it would.
int SlidingWindowWait(int previous, int current, double elapsed, int limit);

// Sliding window approximated from two fixed one-minute windows (the previous window's count
// weighted by how much of it still overlaps), as Cloudflare and nginx-style limiters do.
class MemoryRateLimiter : public RateLimiter {
 public:
  int Hit(std::string_view key, int limit_per_minute) override;
  // For tests: the clock in milliseconds.
  int HitAt(std::string_view key, int limit_per_minute, int64_t now_ms);

 private:
  struct Window {
    int64_t start_ms = 0;
    int current = 0;
    int previous = 0;
  };
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Window> windows;
    int64_t last_sweep_ms = 0;
  };
  Shard shards_[kShards];
};

}  // namespace stepwise::core
