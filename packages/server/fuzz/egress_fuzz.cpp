// libFuzzer target: the egress policy's URL and address checks (net/egress.cpp) on arbitrary
// text, without DNS. Crashes, sanitizer reports and broken invariants fail it.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "net/egress.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto policy = stepwise::net::EgressPolicy::Tenant(false);
  const std::string why = stepwise::net::CheckUrl(text, policy, false);
  if (why.empty()) {
    // An accepted URL is short, has no space or control character, and names http(s).
    if (text.size() > 2048) std::abort();
    for (const char c : text) {
      if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) std::abort();
    }
    if (text.find(':') == std::string::npos) std::abort();
  }
  // Allowing private addresses never refuses what the strict policy accepts.
  if (stepwise::net::RefusedAddressText(text, false).empty() &&
      !stepwise::net::RefusedAddressText(text, true).empty())
    std::abort();
  return 0;
}
