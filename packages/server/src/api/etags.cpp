#include "api/etags.hpp"

#include <vector>

#include "core/text.hpp"
#include "core/time.hpp"

namespace stepwise::api {

namespace {
constexpr int64_t kETagPeriodSeconds = 600;
}  // namespace

std::string WorkflowETag(const storage::WorkflowRecord& w) {
  return "\"" + std::to_string(w.id) + "-" + std::to_string(w.version) + "-" +
         std::to_string(core::NowSeconds() / kETagPeriodSeconds) + "-t" + std::to_string(w.thumbnails) +
         "-h" + std::to_string(w.heal_version) + "\"";
}

services::ExpectedVersions ExpectedVersionsFrom(std::string_view if_match, int64_t id) {
  if (if_match.empty()) return std::nullopt;
  const std::string prefix = "\"" + std::to_string(id) + "-";
  std::vector<int64_t> versions;
  size_t pos = 0;
  while (pos < if_match.size()) {
    size_t end = if_match.find(',', pos);
    if (end == std::string_view::npos) end = if_match.size();
    std::string tag = core::Trim(if_match.substr(pos, end - pos));
    pos = end + 1;
    if (tag.rfind("W/", 0) == 0) tag = tag.substr(2);
    if (tag == "*") return std::nullopt;
    if (tag.size() <= prefix.size() + 1 || tag.rfind(prefix, 0) != 0 || tag.back() != '"') continue;
    // "<id>-<version>-…": the version is the digits up to the next '-'.
    const std::string rest = tag.substr(prefix.size(), tag.size() - prefix.size() - 1);
    const auto dash = rest.find('-');
    if (dash == std::string::npos) continue;
    const std::string digits = rest.substr(0, dash);
    if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos)
      continue;
    versions.push_back(std::stoll(digits));
  }
  return versions;
}

}  // namespace stepwise::api
