#pragma once
// Structured logging: one JSON object per line on stdout, written by a background thread so that
// I/O threads never block on the terminal or a slow pipe.
#include <string_view>

#include <nlohmann/json.hpp>

namespace stepwise::core {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void InitLogging(std::string_view level);
void FlushLogs();
bool LogEnabled(LogLevel level);
// Adds "ts", "level" and "msg" to `fields` and writes the line.
void Log(LogLevel level, std::string_view msg, nlohmann::json fields = nlohmann::json::object());

inline void LogInfo(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
  Log(LogLevel::kInfo, msg, std::move(fields));
}
inline void LogWarn(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
  Log(LogLevel::kWarn, msg, std::move(fields));
}
inline void LogError(std::string_view msg, nlohmann::json fields = nlohmann::json::object()) {
  Log(LogLevel::kError, msg, std::move(fields));
}

}  // namespace stepwise::core
