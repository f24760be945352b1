#pragma once
#include <string>
#include <string_view>

namespace stepwise::core {

// Unicode case folding (so "ÉCOLE" and "école" compare equal), on valid UTF-8; invalid input is
// folded byte-wise for ASCII only. Used for case-insensitive search.
std::string FoldCase(std::string_view text);

// Without leading and trailing spaces, tabs, CR and LF.
std::string Trim(std::string_view text);

// Well-formed UTF-8 without NUL characters: what every text the API stores must be (PostgreSQL
// refuses NUL in text and jsonb, and invalid UTF-8 everywhere).
bool IsCleanUtf8(std::string_view text);
// At most `max_chars` characters (code points) of valid UTF-8 `text`, cut at a character boundary;
// with `ellipsis`, a cut text ends in "…" (counted in max_chars).
std::string TruncateUtf8(std::string_view text, size_t max_chars, bool ellipsis = false);
// ASCII letters lower-cased, every other byte as it is (header names, tags, schemes).
std::string AsciiLower(std::string_view text);
// Runs of whitespace (ASCII and Unicode, via glib) become one space; trimmed.
std::string CollapseSpace(std::string_view text);

}  // namespace stepwise::core
