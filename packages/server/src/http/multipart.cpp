#include "http/multipart.hpp"

#include <algorithm>
#include <functional>

namespace stepwise::http {
namespace {

constexpr size_t kMaxHeaderBytes = 8 * 1024;
constexpr size_t kMaxBoundary = 70;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

bool IsWs(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsWs(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsWs(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 7230 token characters.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// RFC 2046 bchars.
bool IsBChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '\'':
    case '(':
    case ')':
    case '+':
    case '_':
    case ',':
    case '-':
    case '.':
    case '/':
    case ':':
    case '=':
    case '?':
    case ' ':
      return true;
    default:
      return false;
  }
}

// A header parameter list: `; name=value; name="quoted \" value"`. Calls `on_param` for each
// one; false on malformed input.
template <typename F>
bool ParseParams(std::string_view s, F&& on_param) {
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < s.size() && IsWs(s[i])) ++i;
  };
  while (true) {
    skip_ws();
    if (i == s.size()) return true;
    if (s[i] != ';') return false;
    ++i;
    skip_ws();
    if (i == s.size()) return true;  // a trailing ';' is harmless
    const size_t name_start = i;
    while (i < s.size() && IsTokenChar(s[i])) ++i;
    const std::string_view name = s.substr(name_start, i - name_start);
    if (name.empty()) return false;
    skip_ws();
    if (i == s.size() || s[i] != '=') return false;
    ++i;
    skip_ws();
    std::string value;
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        const char c = s[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < s.size()) {
          value.push_back(s[i++]);
        } else {
          value.push_back(c);
        }
      }
      if (!closed) return false;
    } else {
      const size_t start = i;
      while (i < s.size() && s[i] != ';' && !IsWs(s[i])) ++i;
      value.assign(s.substr(start, i - start));
    }
    on_param(name, std::move(value));
  }
}

struct PartHeaders {
  std::optional<std::string> error;
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
};

PartHeaders ParsePartHeaders(std::string_view block) {
  PartHeaders out;
  bool have_disposition = false;
  bool have_type = false;
  while (!block.empty()) {
    const size_t eol = block.find("\r\n");
    const std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol == std::string_view::npos ? block.size() : eol + 2);
    if (line.empty()) continue;
    if (IsWs(line.front())) {
      out.error = "malformed part header (folded line)";
      return out;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      out.error = "malformed part header";
      return out;
    }
    const std::string_view name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), IsTokenChar)) {
      out.error = "malformed part header";
      return out;
    }
    const std::string_view value = Trim(line.substr(colon + 1));
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
      out.error = "malformed part header";
      return out;
    }
    if (IEquals(name, "Content-Disposition")) {
      if (have_disposition) {
        out.error = "a part has two Content-Disposition headers";
        return out;
      }
      have_disposition = true;
      size_t end = 0;
      while (end < value.size() && IsTokenChar(value[end])) ++end;
      if (!IEquals(value.substr(0, end), "form-data")) {
        out.error = "a part's Content-Disposition is not form-data";
        return out;
      }
      bool have_name = false;
      const bool ok = ParseParams(value.substr(end), [&](std::string_view param, std::string v) {
        if (IEquals(param, "name")) {
          have_name = true;
          out.name = std::move(v);
        } else if (IEquals(param, "filename")) {
          out.filename = std::move(v);
        }
      });
      if (!ok) {
        out.error = "malformed Content-Disposition";
        return out;
      }
      if (!have_name || out.name.empty()) {
        out.error = "a part has no name";
        return out;
      }
    } else if (IEquals(name, "Content-Type")) {
      if (have_type) {
        out.error = "a part has two Content-Type headers";
        return out;
      }
      have_type = true;
      out.content_type.assign(value);
    }
  }
  if (!have_disposition) out.error = "a part has no Content-Disposition: form-data header";
  return out;
}

// What follows "--boundary": "--" closes the body; optional whitespace then CRLF opens a part
// (`next` is set just past either); anything else means it was data, not a delimiter line.
enum class DelimiterKind { kNone, kPart, kClose };
DelimiterKind ClassifyDelimiter(std::string_view body, size_t after, size_t& next) {
  if (body.substr(after, 2) == "--") {
    next = after + 2;
    return DelimiterKind::kClose;
  }
  size_t i = after;
  while (i < body.size() && IsWs(body[i])) ++i;
  if (body.substr(i, 2) == "\r\n") {
    next = i + 2;
    return DelimiterKind::kPart;
  }
  return DelimiterKind::kNone;
}

MultipartResult Fail(std::string message) {
  MultipartResult r;
  r.error = MultipartError{std::move(message)};
  return r;
}

}  // namespace

std::optional<std::string> MultipartBoundary(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  if (!IEquals(Trim(content_type.substr(0, semi)), "multipart/form-data")) return std::nullopt;
  if (semi == std::string_view::npos) return std::nullopt;
  std::optional<std::string> boundary;
  bool duplicate = false;
  const bool ok = ParseParams(content_type.substr(semi), [&](std::string_view name, std::string value) {
    if (IEquals(name, "boundary")) {
      duplicate = duplicate || boundary.has_value();
      boundary = std::move(value);
    }
  });
  if (!ok || duplicate || !boundary) return std::nullopt;
  const std::string& b = *boundary;
  if (b.empty() || b.size() > kMaxBoundary || b.back() == ' ') return std::nullopt;
  if (!std::all_of(b.begin(), b.end(), IsBChar)) return std::nullopt;
  return boundary;
}

MultipartResult ParseMultipart(std::string_view body, std::string_view boundary, size_t max_parts) {
  if (boundary.empty() || boundary.size() > kMaxBoundary) return Fail("bad multipart boundary");
  // Every delimiter after the first is CRLF "--" boundary; the first may also open the body.
  std::string delimiter = "\r\n--";
  delimiter.append(boundary);
  const std::string_view dash_boundary = std::string_view(delimiter).substr(2);
  const std::boyer_moore_horspool_searcher searcher(delimiter.begin(), delimiter.end());
  auto find_delimiter = [&](size_t from) -> size_t {
    if (from >= body.size()) return std::string_view::npos;
    const auto it = std::search(body.begin() + static_cast<std::ptrdiff_t>(from), body.end(), searcher);
    return it == body.end() ? std::string_view::npos : static_cast<size_t>(it - body.begin());
  };

  // The opening delimiter: at the very start, or on its own line after a preamble.
  size_t pos = std::string_view::npos;
  size_t next = 0;
  DelimiterKind kind = DelimiterKind::kNone;
  if (body.substr(0, dash_boundary.size()) == dash_boundary) {
    kind = ClassifyDelimiter(body, dash_boundary.size(), next);
    if (kind != DelimiterKind::kNone) pos = 0;
  }
  for (size_t from = 0; pos == std::string_view::npos;) {
    const size_t at = find_delimiter(from);
    if (at == std::string_view::npos) return Fail("no opening multipart boundary");
    kind = ClassifyDelimiter(body, at + delimiter.size(), next);
    if (kind != DelimiterKind::kNone) pos = at;
    from = at + 1;
  }

  MultipartResult result;
  while (kind == DelimiterKind::kPart) {
    if (result.parts.size() == max_parts) return Fail("too many multipart parts");
    // Headers end at the first empty line (a part with no headers starts with CRLF at once).
    const std::string_view rest = body.substr(next);
    size_t headers_end;
    size_t data_start;
    if (rest.substr(0, 2) == "\r\n") {
      headers_end = 0;
      data_start = next + 2;
    } else {
      const size_t window = std::min(rest.size(), kMaxHeaderBytes + 4);
      const size_t blank = rest.substr(0, window).find("\r\n\r\n");
      if (blank == std::string_view::npos) {
        return Fail(rest.size() > kMaxHeaderBytes ? "multipart part headers too long"
                                                  : "truncated multipart body (part headers never end)");
      }
      if (blank > kMaxHeaderBytes) return Fail("multipart part headers too long");
      headers_end = blank;
      data_start = next + blank + 4;
    }
    PartHeaders headers = ParsePartHeaders(rest.substr(0, headers_end));
    if (headers.error) return Fail(*headers.error);

    // The data runs to the next delimiter line; a "--boundary" followed by anything else is data.
    size_t from = data_start;
    size_t at;
    while (true) {
      at = find_delimiter(from);
      if (at == std::string_view::npos) return Fail("missing closing multipart boundary (truncated body)");
      kind = ClassifyDelimiter(body, at + delimiter.size(), next);
      if (kind != DelimiterKind::kNone) break;
      from = at + 1;
    }
    MultipartPart part;
    part.name = std::move(headers.name);
    part.filename = std::move(headers.filename);
    part.content_type = std::move(headers.content_type);
    part.data = body.substr(data_start, at - data_start);
    result.parts.push_back(std::move(part));
  }
  return result;
}

}  // namespace stepwise::http
