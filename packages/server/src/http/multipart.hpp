#pragma once
// multipart/form-data (RFC 7578) over a body already in memory: parts are views into it, so a
// 10 MB upload is never copied again.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stepwise::http {

struct MultipartPart {
  std::string name;                     // from Content-Disposition: form-data; name="…"
  std::optional<std::string> filename;  // present for file parts (never used as a path)
  std::string content_type;             // the part's Content-Type, "" when absent
  std::string_view data;                // the part's bytes, a view into the body
};

struct MultipartError {
  std::string message;  // a sentence for the client: "missing closing boundary", …
};

// The boundary parameter of a multipart/form-data Content-Type, or nullopt when the type is not
// multipart/form-data or the boundary is missing/invalid (1–70 chars, RFC 2046 bchars, quoted or
// not).
std::optional<std::string> MultipartBoundary(std::string_view content_type);

// Parses the whole body. Fails on: no opening boundary, a missing closing boundary (truncated
// body), part headers over 8 KiB or malformed, a part without Content-Disposition form-data and a
// name, more than `max_parts` parts. Never throws, never reads outside `body`.
struct MultipartResult {
  std::vector<MultipartPart> parts;
  std::optional<MultipartError> error;
};
MultipartResult ParseMultipart(std::string_view body, std::string_view boundary, size_t max_parts = 16);

}  // namespace stepwise::http
