#include "core/text.hpp"

#include <glib.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace stepwise::core {

std::string FoldCase(std::string_view text) {
  if (!g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
  }
  // Compose first so that "e" + combining acute and "é" fold alike.
  std::unique_ptr<gchar, decltype(&g_free)> normal(
      g_utf8_normalize(text.data(), static_cast<gssize>(text.size()), G_NORMALIZE_DEFAULT_COMPOSE), g_free);
  if (!normal) return std::string(text);
  std::unique_ptr<gchar, decltype(&g_free)> folded(g_utf8_casefold(normal.get(), -1), g_free);
  return folded ? std::string(folded.get()) : std::string(text);
}

std::string Trim(std::string_view text) {
  const auto b = text.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  const auto e = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(b, e - b + 1));
}

bool IsCleanUtf8(std::string_view text) {
  // With an explicit length g_utf8_validate also refuses embedded NUL bytes.
  return text.empty() || g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr);
}

std::string TruncateUtf8(std::string_view text, size_t max_chars, bool ellipsis) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (!g_utf8_validate(begin, static_cast<gssize>(text.size()), nullptr)) return {};
  const auto length = static_cast<size_t>(g_utf8_strlen(begin, static_cast<gssize>(text.size())));
  if (length <= max_chars) return std::string(text);
  const size_t keep = ellipsis && max_chars > 0 ? max_chars - 1 : max_chars;
  const char* cut = g_utf8_offset_to_pointer(begin, static_cast<glong>(keep));
  std::string out(begin, static_cast<size_t>(std::min(cut, end) - begin));
  if (ellipsis && max_chars > 0) out += "\u2026";
  return out;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string CollapseSpace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  const char* p = text.data();
  const char* end = p + text.size();
  const bool utf8 = g_utf8_validate(p, static_cast<gssize>(text.size()), nullptr) != 0;
  while (p < end) {
    const char* next = utf8 ? g_utf8_next_char(p) : p + 1;
    const bool is_space =
        utf8 ? g_unichar_isspace(g_utf8_get_char(p)) != 0 : std::isspace(static_cast<unsigned char>(*p)) != 0;
    if (is_space) {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out.append(p, static_cast<size_t>(next - p));
    }
    p = next;
  }
  return out;
}

}  // namespace stepwise::core
