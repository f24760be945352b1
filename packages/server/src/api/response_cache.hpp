#pragma once
// Serialized answers of hot reads (the workflow list and detail), kept while their company's data
// version is unchanged and for at most `ttl_ms` — the bound on how stale an answer may be when
// another process (a worker, a second server) wrote to the database. Bounded in bytes; when full,
// the oldest half goes.
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
  // The entry for `key` when it was stored at `version` less than ttl ago.
  std::shared_ptr<const Entry> Get(const std::string& key, uint64_t version);
  void Put(const std::string& key, uint64_t version, Entry entry);
  size_t Bytes();

 private:
  using Clock = std::chrono::steady_clock;
  struct Slot {
    std::shared_ptr<const Entry> entry;
    uint64_t version = 0;
    Clock::time_point stored;
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
