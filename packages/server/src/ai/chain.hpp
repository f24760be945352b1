#pragma once
// The vendors in order of preference (Anthropic, then OpenAI, as configured), each tried up to
// `attempts` times with exponential backoff honouring retry-after, every request inside an AI
// slot. Labeling falls back to the local labeler when all of them fail; healing to the
// deterministic score.
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "ai/labeler.hpp"
#include "ai/slots.hpp"

namespace stepwise::ai {

struct ChainOptions {
  int attempts = 3;
  int64_t backoff_base_ms = 500;
  int64_t max_wait_ms = 20000;    // longest retry-after honoured
  int64_t slot_wait_ms = 600000;  // how long to queue for an AI slot before giving up on vendors
};

struct ChainResult {
  Label label;
  bool fallback = false;  // vendors were configured and none delivered: the local label
  std::vector<std::string> errors;
};

class LabelChain {
 public:
  LabelChain(std::vector<std::unique_ptr<Provider>> vendors, Slots& slots, ChainOptions options = {});
  // Labels a step: a vendor's label, or the local labeler's. Throws core::Interrupted when
  // Stop() was called while it waited (for a slot, or between attempts).
  ChainResult Run(const LabelRequest& request);
  // Asks the vendors in turn until `accept(text, vendor name)` takes an answer (false: unusable,
  // asked again). False when none did; `errors` says why. Throws core::Interrupted as Run.
  bool Ask(const AskRequest& request, const ChainOptions& options,
           const std::function<bool(const std::string& text, const std::string& vendor)>& accept,
           std::vector<std::string>* errors);
  bool HasVendors() const { return !vendors_.empty(); }
  const ChainOptions& Options() const { return options_; }
  // Shutdown: waits for a slot or a retry end at once, with core::Interrupted. A request already
  // sent runs to its answer or its timeout.
  void Stop();

 private:
  std::vector<std::unique_ptr<Provider>> vendors_;
  Slots& slots_;
  ChainOptions options_;
  std::stop_source stop_;
};

}  // namespace stepwise::ai
