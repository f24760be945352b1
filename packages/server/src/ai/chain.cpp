#include "ai/chain.hpp"

#include <algorithm>
#include <chrono>
#include <random>

#include "core/errors.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"

namespace stepwise::ai {

LabelChain::LabelChain(std::vector<std::unique_ptr<Provider>> vendors, Slots& slots, ChainOptions options)
    : vendors_(std::move(vendors)), slots_(slots), options_(options) {}

namespace {
core::metrics::Family<core::metrics::Counter>& AiCalls() {
  static auto& f = core::metrics::Default().Counters(
      "stepwise_ai_calls_total", "AI vendor calls, by vendor and outcome.", {"vendor", "outcome"});
  return f;
}
core::metrics::Family<core::metrics::Histogram>& AiLatency() {
  static auto& f = core::metrics::Default().Histograms(
      "stepwise_ai_call_duration_seconds", "Time an AI vendor call took, in seconds.", {"vendor"});
  return f;
}
}  // namespace

bool LabelChain::Ask(const AskRequest& request, const ChainOptions& options,
                     const std::function<bool(const std::string&, const std::string&)>& accept,
                     std::vector<std::string>* errors) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto note = [&](const std::string& e) {
    if (errors != nullptr) errors->push_back(e);
  };
  for (auto& vendor : vendors_) {
    for (int attempt = 1; attempt <= options.attempts; ++attempt) {
      int64_t wait_ms = 0;
      try {
        std::string token = slots_.Acquire(options.slot_wait_ms);
        if (token.empty()) {
          note(vendor->Name() + ": no AI slot came free");
          break;
        }
        std::string text;
        {
          SlotGuard slot(slots_, std::move(token));
          const auto asked = std::chrono::steady_clock::now();
          try {
            text = vendor->Ask(request);
          } catch (const ProviderError&) {
            AiLatency()
                .With({vendor->Name()})
                .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count());
            throw;
          }
          AiLatency()
              .With({vendor->Name()})
              .Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count());
        }
        if (accept(text, vendor->Name())) {
          AiCalls().With({vendor->Name(), "ok"}).Inc();
          return true;
        }
        throw ProviderError(ProviderError::Kind::kBadOutput, "no usable answer in the text");
      } catch (const ProviderError& e) {
        AiCalls()
            .With({vendor->Name(), e.kind() == ProviderError::Kind::kBadOutput ? "bad_output"
                                   : e.kind() == ProviderError::Kind::kFatal   ? "fatal"
                                   : e.kind() == ProviderError::Kind::kRefused ? "refused"
                                                                               : "error"})
            .Inc();
        note(vendor->Name() + ": " + e.what());
        if (e.kind() == ProviderError::Kind::kFatal || e.kind() == ProviderError::Kind::kRefused) break;
        // Exponential backoff with jitter, or the vendor's retry-after when it asks for longer.
        int64_t backoff = options.backoff_base_ms << (attempt - 1);
        backoff = static_cast<int64_t>(static_cast<double>(backoff) *
                                       std::uniform_real_distribution<double>(0.5, 1.0)(rng));
        wait_ms = std::max(backoff, e.retry_after_ms());
        if (wait_ms > options.max_wait_ms) break;  // it asks for longer than we wait: next vendor
      }
      if (attempt < options.attempts &&
          !core::SleepUnlessStopped(stop_.get_token(), std::chrono::milliseconds(wait_ms))) {
        throw core::Interrupted();
      }
    }
  }
  return false;
}

void LabelChain::Stop() {
  stop_.request_stop();
  slots_.Stop();
}

ChainResult LabelChain::Run(const LabelRequest& request) {
  ChainResult result;
  AskRequest ask;
  ask.prompt = BuildPrompt(request.facts);
  if (request.jpeg) ask.images.push_back({"image/jpeg", *request.jpeg});
  const bool ok = Ask(
      ask, options_,
      [&](const std::string& text, const std::string& vendor) {
        auto label = ParseLabel(text, vendor);
        if (!label) return false;
        result.label = *label;
        return true;
      },
      &result.errors);
  if (ok) return result;
  result.label = LocalLabel(request.facts);
  result.fallback = !vendors_.empty();
  return result;
}

}  // namespace stepwise::ai
