#include "api/response_cache.hpp"

#include <algorithm>
#include <functional>
#include <vector>

namespace stepwise::api {

ResponseCache::Shard& ResponseCache::ShardOf(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::shared_ptr<const ResponseCache::Entry> ResponseCache::Get(const std::string& key, uint64_t version,
                                                               bool* refresh) {
  if (refresh != nullptr) *refresh = false;
  if (!Enabled()) return nullptr;
  auto& shard = ShardOf(key);
  const auto now = Clock::now();
  const std::chrono::milliseconds ttl(ttl_ms_);
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(key);
  if (it == shard.map.end()) return nullptr;
  Slot& slot = it->second;
  const auto age = now - slot.stored;
  if (slot.version != version || age > ttl) {
    shard.bytes -= slot.bytes;
    shard.map.erase(it);
    return nullptr;
  }
  if (refresh != nullptr && age > ttl * 3 / 4 &&
      (slot.refresh_claimed == Clock::time_point{} || now - slot.refresh_claimed > ttl / 4)) {
    slot.refresh_claimed = now;
    *refresh = true;
  }
  return slot.entry;
}

void ResponseCache::Put(const std::string& key, uint64_t version, Entry entry) {
  if (!Enabled()) return;
  const size_t bytes = key.size() + entry.body.size() + entry.etag.size() + 64;
  const size_t shard_budget = max_bytes_ / kShards;
  if (bytes > shard_budget / 4) return;  // one answer never crowds out the rest
  auto& shard = ShardOf(key);
  const auto now = Clock::now();
  std::lock_guard lock(shard.mu);
  if (auto it = shard.map.find(key); it != shard.map.end()) {
    shard.bytes -= it->second.bytes;
    shard.map.erase(it);
  }
  if (shard.bytes + bytes > shard_budget) Evict(shard, now);
  shard.map.emplace(key, Slot{std::make_shared<const Entry>(std::move(entry)), version, now, {}, bytes});
  shard.bytes += bytes;
}

void ResponseCache::Evict(Shard& shard, Clock::time_point now) {
  // Expired entries first; then the older half of what is left.
  std::vector<Clock::time_point> times;
  for (auto it = shard.map.begin(); it != shard.map.end();) {
    if (now - it->second.stored > std::chrono::milliseconds(ttl_ms_)) {
      shard.bytes -= it->second.bytes;
      it = shard.map.erase(it);
    } else {
      times.push_back(it->second.stored);
      ++it;
    }
  }
  if (shard.bytes <= max_bytes_ / kShards / 2 || times.empty()) return;
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2), times.end());
  const auto cutoff = times[times.size() / 2];
  for (auto it = shard.map.begin(); it != shard.map.end();) {
    if (it->second.stored <= cutoff) {
      shard.bytes -= it->second.bytes;
      it = shard.map.erase(it);
    } else {
      ++it;
    }
  }
}

size_t ResponseCache::Bytes() {
  size_t total = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.bytes;
  }
  return total;
}

}  // namespace stepwise::api
