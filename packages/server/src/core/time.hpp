#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stepwise::core {

// Milliseconds since the Unix epoch, wall clock.
int64_t NowMillis();
inline int64_t NowSeconds() { return NowMillis() / 1000; }

// "2026-11-25T21:30:00.123Z" — the form stored in SQLite and sent to clients.
std::string FormatIsoMillis(int64_t unix_millis);
// "2026-11-25T21:30:00Z" — API responses (seconds precision).
std::string FormatIso(int64_t unix_millis);
// Accepts what either database gives back: "2026-11-25T21:30:00.123Z", "2026-11-25 21:30:00.123+00",
// "2026-11-25 21:30:00+00:00", with or without fraction. Returns Unix milliseconds.
std::optional<int64_t> ParseDbTime(std::string_view text);

}  // namespace stepwise::core
