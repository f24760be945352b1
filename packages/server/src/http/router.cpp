#include "http/router.hpp"

#include <algorithm>

namespace stepwise::http {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const size_t j = path.find('/', i);
    const size_t end = j == std::string_view::npos ? path.size() : j;
    out.emplace_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

Route& Router::Add(std::string method, std::string pattern, Access access, Handler handler) {
  Route r;
  r.method = std::move(method);
  r.segments = SplitPath(pattern);
  r.pattern = std::move(pattern);
  r.access = access;
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
  return routes_.back();
}

namespace {
bool IsParam(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }
bool IsRest(const std::string& seg) { return IsParam(seg) && seg.size() > 3 && seg[seg.size() - 2] == '+'; }
}  // namespace

void Router::SetFallback(Handler handler) {
  fallback_.method = "GET";
  fallback_.pattern = "/*";
  fallback_.access = Access::kPublic;
  fallback_.handler = std::move(handler);
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match best;
  const auto segs = SplitPath(path);
  // A trailing slash is not a different resource, but "//" or an empty segment never matches.
  int best_literals = -1;
  for (const auto& r : routes_) {
    // "{name+}" as the last segment takes the rest of the path, slashes included.
    const bool rest = !r.segments.empty() && IsRest(r.segments.back());
    if (rest ? segs.size() < r.segments.size() : r.segments.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    int literals = 0;
    bool ok = true;
    for (size_t i = 0; i < r.segments.size() && ok; ++i) {
      if (rest && i + 1 == r.segments.size()) {
        std::string joined;
        for (size_t j = i; j < segs.size(); ++j) joined += (j == i ? "" : "/") + segs[j];
        params[r.segments[i].substr(1, r.segments[i].size() - 3)] = joined;
      } else if (IsParam(r.segments[i])) {
        params[r.segments[i].substr(1, r.segments[i].size() - 2)] = segs[i];
      } else if (r.segments[i] == segs[i]) {
        ++literals;
      } else {
        ok = false;
      }
    }
    if (!ok) continue;
    if (r.method != method) {
      if (std::find(best.allowed.begin(), best.allowed.end(), r.method) == best.allowed.end()) {
        best.allowed.push_back(r.method);
      }
      continue;
    }
    // Prefer the most literal match: /api/users/me over /api/users/{id}.
    if (literals > best_literals) {
      best_literals = literals;
      best.route = &r;
      best.params = std::move(params);
    }
  }
  const bool api = path == "/api" || path.rfind("/api/", 0) == 0;
  if (best.route == nullptr && best.allowed.empty() && !api && fallback_.handler && method == "GET") {
    best.route = &fallback_;
  }
  return best;
}

}  // namespace stepwise::http
