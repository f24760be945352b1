#pragma once
// The providers in order of preference (Anthropic, then OpenAI, as configured), each tried up to
// `attempts` times with exponential backoff honouring retry-after, every request inside an AI
// slot; the local labeler when all of them fail.
#include <memory>
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
  ChainResult Run(const LabelRequest& request);
  bool HasVendors() const { return !vendors_.empty(); }

 private:
  std::vector<std::unique_ptr<Provider>> vendors_;
  Slots& slots_;
  ChainOptions options_;
};

}  // namespace stepwise::ai
