#pragma once
// Data versions per key (a company id), counted in this process: every write that changes what a
// cached read would answer bumps its company's version, so a cached answer tagged with an older
// version is never served. Lock-free reads of a fixed-size table; keys that collide share a
// counter, which only costs an extra miss.
#include <array>
#include <atomic>
#include <cstdint>

namespace stepwise::core {

class VersionCounters {
 public:
  uint64_t Get(int64_t key) const { return slots_[Slot(key)].load(std::memory_order_acquire); }
  void Bump(int64_t key) { slots_[Slot(key)].fetch_add(1, std::memory_order_acq_rel); }

 private:
  static constexpr size_t kSlots = 4096;
  static size_t Slot(int64_t key) {
    return static_cast<size_t>(static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ULL >> 52);
  }
  std::array<std::atomic<uint64_t>, kSlots> slots_{};
};

// Bumps a key's version when it goes out of scope: declared at the top of a write, the bump comes
// after the commit (and after a failure too, which only costs a cache miss).
class BumpOnExit {
 public:
  BumpOnExit(VersionCounters* versions, int64_t key) : versions_(versions), key_(key) {}
  ~BumpOnExit() {
    if (versions_ != nullptr) versions_->Bump(key_);
  }
  BumpOnExit(const BumpOnExit&) = delete;
  BumpOnExit& operator=(const BumpOnExit&) = delete;

 private:
  VersionCounters* versions_;
  int64_t key_;
};

}  // namespace stepwise::core
