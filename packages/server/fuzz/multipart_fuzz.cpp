// libFuzzer target for the multipart/form-data parser (scripts/fuzz.sh builds and runs it).
// Input: the first line is the Content-Type header value, the rest is the body; so the fuzzer
// explores boundary parsing and body parsing together. Besides ASan/UBSan, it checks the
// parser's promises: it never throws, every part's data is a view inside the body, and a
// successful parse has at most max_parts parts, each with a name.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/multipart.hpp"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t eol = input.find('\n');
  const std::string_view content_type = input.substr(0, eol);
  const std::string_view body = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);

  const auto boundary = stepwise::http::MultipartBoundary(content_type);
  if (boundary) Check(!boundary->empty() && boundary->size() <= 70);
  // Also a fixed boundary, so that bodies are explored even when the header line is garbage.
  for (std::string_view b :
       {boundary ? std::string_view(*boundary) : std::string_view("b"), std::string_view("b")}) {
    constexpr size_t kMaxParts = 4;
    const auto result = stepwise::http::ParseMultipart(body, b, kMaxParts);
    if (result.error) {
      Check(!result.error->message.empty());
      Check(result.parts.empty());
      continue;
    }
    Check(result.parts.size() <= kMaxParts);
    const char* begin = body.data();
    const char* end = body.data() + body.size();
    const char* previous_end = begin;
    for (const auto& part : result.parts) {
      Check(!part.name.empty());
      if (part.data.empty()) continue;
      Check(part.data.data() >= begin && part.data.data() + part.data.size() <= end);
      // Parts come in order and never overlap.
      Check(part.data.data() >= previous_end);
      previous_end = part.data.data() + part.data.size();
    }
  }
  return 0;
}
