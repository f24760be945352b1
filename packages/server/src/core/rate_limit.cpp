#include "core/rate_limit.hpp"

#include <cmath>
#include <functional>

#include "core/time.hpp"

namespace stepwise::core {

namespace {
constexpr int64_t kWindowMs = 60'000;
}

int SlidingWindowWait(int previous, int current, double elapsed, int limit) {
  const double estimate = previous * (1.0 - elapsed) + current;
  if (estimate + 1 <= limit) return 0;
  // The previous window's weight decays linearly; at the next boundary the current count
  // becomes the previous one.
  double wait_ms = (1.0 - elapsed) * kWindowMs;
  if (current + 1 <= limit && previous > 0) {
    const double need = (estimate + 1 - limit) / previous;
    wait_ms = std::min(wait_ms, need * kWindowMs);
  }
  return std::max(1, static_cast<int>(std::ceil(wait_ms / 1000.0)));
}

int MemoryRateLimiter::Hit(std::string_view key, int limit_per_minute) {
  return HitAt(key, limit_per_minute, NowMillis());
}

int MemoryRateLimiter::HitAt(std::string_view key, int limit_per_minute, int64_t now_ms) {
  if (limit_per_minute <= 0) return 0;
  Shard& shard = shards_[std::hash<std::string_view>{}(key) % kShards];
  std::lock_guard lock(shard.mu);
  // Forget keys idle for two windows, at most once a minute, so memory stays bounded.
  if (now_ms - shard.last_sweep_ms > kWindowMs) {
    for (auto it = shard.windows.begin(); it != shard.windows.end();) {
      it = now_ms - it->second.start_ms >= 2 * kWindowMs ? shard.windows.erase(it) : std::next(it);
    }
    shard.last_sweep_ms = now_ms;
  }
  Window& w = shard.windows[std::string(key)];
  const int64_t window_start = now_ms - now_ms % kWindowMs;
  if (w.start_ms != window_start) {
    w.previous = w.start_ms == window_start - kWindowMs ? w.current : 0;
    w.current = 0;
    w.start_ms = window_start;
  }
  const double elapsed = static_cast<double>(now_ms - window_start) / kWindowMs;
  const int wait = SlidingWindowWait(w.previous, w.current, elapsed, limit_per_minute);
  if (wait == 0) ++w.current;
  return wait;
}

}  // namespace stepwise::core
