#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
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

// Sleeps for `duration`, or until a stop is requested on `stop`. False when it was (or already
// had been) requested: the caller should stop.
bool SleepUnlessStopped(const std::stop_token& stop, std::chrono::milliseconds duration);

}  // namespace stepwise::core
