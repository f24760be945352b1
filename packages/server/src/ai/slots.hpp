#pragma once
// The limit on AI requests in flight: in this process, or across every process through Redis
// (a sorted set of leases that expire, so a process that dies holding one gives it back).
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

namespace stepwise::storage {
class Redis;
}

namespace stepwise::ai {

class Slots {
 public:
  virtual ~Slots() = default;
  // A slot's token, or "" when none came free within `wait_ms`. Throws core::Interrupted once
  // Stop() was called.
  virtual std::string Acquire(int64_t wait_ms) = 0;
  virtual void Release(const std::string& token) = 0;
  // Shutdown: every waiting and later Acquire throws core::Interrupted.
  virtual void Stop() = 0;
};

std::unique_ptr<Slots> MakeLocalSlots(int limit);
// `lease_ms` bounds how long a holder keeps a slot (longer than the slowest request).
std::unique_ptr<Slots> MakeRedisSlots(storage::Redis& redis, const std::string& key, int limit,
                                      int64_t lease_ms);

// Holds a slot for a scope.
class SlotGuard {
 public:
  SlotGuard(Slots& slots, std::string token) : slots_(slots), token_(std::move(token)) {}
  ~SlotGuard() {
    if (!token_.empty()) slots_.Release(token_);
  }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  Slots& slots_;
  std::string token_;
};

}  // namespace stepwise::ai
