#include "ai/chain.hpp"

#include <algorithm>
#include <random>
#include <thread>

namespace stepwise::ai {

LabelChain::LabelChain(std::vector<std::unique_ptr<Provider>> vendors, Slots& slots, ChainOptions options)
    : vendors_(std::move(vendors)), slots_(slots), options_(options) {}

ChainResult LabelChain::Run(const LabelRequest& request) {
  ChainResult result;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  for (auto& vendor : vendors_) {
    for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
      int64_t wait_ms = 0;
      try {
        std::string token = slots_.Acquire(options_.slot_wait_ms);
        if (token.empty()) {
          result.errors.push_back(vendor->Name() + ": no AI slot came free");
          break;
        }
        SlotGuard slot(slots_, std::move(token));
        result.label = vendor->Describe(request);
        return result;
      } catch (const ProviderError& e) {
        result.errors.push_back(vendor->Name() + ": " + e.what());
        if (e.kind() == ProviderError::Kind::kFatal || e.kind() == ProviderError::Kind::kRefused) break;
        // Exponential backoff with jitter, or the vendor's retry-after when it asks for longer.
        int64_t backoff = options_.backoff_base_ms << (attempt - 1);
        backoff = static_cast<int64_t>(static_cast<double>(backoff) *
                                       std::uniform_real_distribution<double>(0.5, 1.0)(rng));
        wait_ms = std::max(backoff, e.retry_after_ms());
        if (wait_ms > options_.max_wait_ms) break;  // it asks for longer than we wait: next vendor
      }
      if (attempt < options_.attempts) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
    }
  }
  result.label = LocalLabel(request.facts);
  result.fallback = !vendors_.empty();
  return result;
}

}  // namespace stepwise::ai
