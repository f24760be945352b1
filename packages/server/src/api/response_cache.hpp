#pragma once
// Serialized answers of hot reads (the workflow list and detail), kept while their company's data
// version is unchanged and for at most `ttl_ms` — the bound on how stale an answer may be when
// another process (a worker, a second server) wrote to the database. Bounded in bytes; when full,
// the oldest half goes. An entry in the last quarter of its life is refreshed ahead by one request
// while the others are still answered from it, so that a busy answer never expires under load
// (every connection would then queue for the database at once).
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace stepwise::api {

class ResponseCache {
 public:
  struct Entry {
    std::string body;
    std::string etag;
  };

  ResponseCache(size_t max_bytes, int ttl_ms) : max_bytes_(max_bytes), ttl_ms_(ttl_ms) {}

  bool Enabled() const { return ttl_ms_ > 0 && max_bytes_ > 0; }
  // The entry for `key` when it was stored at `version` less than ttl ago. With `refresh`: set to
  // true for one caller (until it Puts, or for a quarter of the ttl) when the entry is in the last
  // quarter of its life; that caller should compute the answer again and Put it.
  std::shared_ptr<const Entry> Get(const std::string& key, uint64_t version, bool* refresh = nullptr);
  void Put(const std::string& key, uint64_t version, Entry entry);
  size_t Bytes();

 private:
  using Clock = std::chrono::steady_clock;
  struct Slot {
    std::shared_ptr<const Entry> entry;
    uint64_t version = 0;
    Clock::time_point stored;
    Clock::time_point refresh_claimed;  // epoch: nobody refreshes it
    size_t bytes = 0;
  };
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Slot> map;
    size_t bytes = 0;
  };
  Shard& ShardOf(const std::string& key);
  void Evict(Shard& shard, Clock::time_point now);

  size_t max_bytes_;
  int ttl_ms_;
  std::array<Shard, kShards> shards_;
};

}  // namespace stepwise::api
