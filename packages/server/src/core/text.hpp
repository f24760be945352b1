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

}  // namespace stepwise::core
