#include "core/text.hpp"

#include <glib.h>

#include <algorithm>
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

}  // namespace stepwise::core
