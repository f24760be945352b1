#include "services/events.hpp"

#include <hiredis/hiredis.h>

#include <chrono>
#include <optional>

#include "core/log.hpp"
#include "core/time.hpp"
#include "storage/redis/redis.hpp"

namespace stepwise::services {

namespace {

std::pair<int64_t, int64_t> SplitId(const std::string& id) {
  const auto dash = id.find('-');
  try {
    if (dash == std::string::npos) return {std::stoll(id), 0};
    return {std::stoll(id.substr(0, dash)), std::stoll(id.substr(dash + 1))};
  } catch (const std::exception&) {
    return {-1, -1};
  }
}

std::string Str(const redisReply* r) {
  return r != nullptr && r->type == REDIS_REPLY_STRING ? std::string(r->str, r->len) : std::string();
}

}  // namespace

bool EventIdLess(const std::string& a, const std::string& b) { return SplitId(a) < SplitId(b); }

EventBus::EventBus(storage::Redis* redis, std::string prefix) : redis_(redis), stream_(prefix + ":events") {
  if (redis_ != nullptr) {
    reader_ = std::thread([this] { ReadRedis(); });
  } else {
    backfilled_ = true;
  }
}

EventBus::~EventBus() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
}

void EventBus::Publish(int64_t company_id, const std::string& type, const nlohmann::json& data,
                       bool admins_only) {
  const nlohmann::json envelope = {{"c", company_id}, {"t", type}, {"d", data}, {"a", admins_only}};
  if (redis_ != nullptr) {
    try {
      redis_->Command({"XADD", stream_, "MAXLEN", "~", std::to_string(kKeep), "*", "e", envelope.dump()});
      return;
    } catch (const std::exception& e) {
      core::LogWarn("event not published to redis; local only", {{"error", e.what()}});
    }
  }
  Event ev{"", company_id, type, data.dump(), admins_only};
  std::lock_guard lock(mu_);
  const int64_t now = core::NowMillis();
  if (now > last_ms_) {
    last_ms_ = now;
    seq_ = 0;
  } else {
    ++seq_;
  }
  ev.id = std::to_string(last_ms_) + "-" + std::to_string(seq_);
  ring_.push_back(std::move(ev));
  while (ring_.size() > kKeep) ring_.pop_front();
}

void EventBus::Append(Event e) {
  std::lock_guard lock(mu_);
  ring_.push_back(std::move(e));
  while (ring_.size() > kKeep) ring_.pop_front();
}

namespace {
// An entry of the events stream as an Event; nullopt when it is not one of ours.
std::optional<Event> EventOf(const redisReply* e) {
  if (e == nullptr || e->type != REDIS_REPLY_ARRAY || e->elements < 2) return std::nullopt;
  const std::string id = Str(e->element[0]);
  const redisReply* fields = e->element[1];
  if (fields == nullptr || fields->type != REDIS_REPLY_ARRAY) return std::nullopt;
  for (size_t f = 0; f + 1 < fields->elements; f += 2) {
    if (Str(fields->element[f]) != "e") continue;
    auto j = nlohmann::json::parse(Str(fields->element[f + 1]), nullptr, false);
    if (!j.is_object()) return std::nullopt;
    return Event{id, j.value("c", int64_t{0}), j.value("t", ""), j.value("d", nlohmann::json()).dump(),
                 j.value("a", false)};
  }
  return std::nullopt;
}
}  // namespace

std::string EventBus::Backfill() {
  auto r = redis_->Command({"XREVRANGE", stream_, "+", "-", "COUNT", std::to_string(kKeep)});
  std::string last = "0-0";
  std::deque<Event> events;
  if (r->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < r->elements; ++i) {
      const redisReply* e = r->element[i];
      if (i == 0 && e != nullptr && e->type == REDIS_REPLY_ARRAY && e->elements > 0)
        last = Str(e->element[0]);
      if (auto ev = EventOf(e)) events.push_front(std::move(*ev));  // newest first in the reply
    }
  }
  std::lock_guard lock(mu_);
  ring_ = std::move(events);
  backfilled_ = true;
  backfilled_cv_.notify_all();
  return last;
}

void EventBus::WaitForBackfill() {
  std::unique_lock lock(mu_);
  backfilled_cv_.wait_for(lock, std::chrono::seconds(2), [&] { return backfilled_; });
}

void EventBus::ReadRedis() {
  // The ring first holds the stream's newest entries, then follows the stream from the last of
  // them. Not "$": every XREAD with "$" starts after whatever is the newest at that call, so an
  // event added between two reads (before the first one is read) was skipped.
  std::string last;
  while (!stop_ && last.empty()) {
    try {
      last = Backfill();
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  while (!stop_) {
    try {
      auto r = redis_->Command({"XREAD", "COUNT", "200", "BLOCK", "300", "STREAMS", stream_, last});
      if (r->type != REDIS_REPLY_ARRAY) continue;
      for (size_t s = 0; s < r->elements; ++s) {
        const redisReply* entries = r->element[s]->element[1];
        for (size_t i = 0; i < entries->elements; ++i) {
          const redisReply* e = entries->element[i];
          last = Str(e->element[0]);
          if (auto ev = EventOf(e)) Append(std::move(*ev));
        }
      }
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

std::vector<Event> EventBus::Since(int64_t company_id, bool admin, const std::string& after, bool* gap) {
  WaitForBackfill();
  std::vector<Event> out;
  std::lock_guard lock(mu_);
  if (gap != nullptr) *gap = !ring_.empty() && !after.empty() && EventIdLess(after, ring_.front().id);
  for (const auto& e : ring_) {
    if (e.company_id != company_id || (e.admins_only && !admin)) continue;
    if (!after.empty() && !EventIdLess(after, e.id)) continue;
    out.push_back(e);
  }
  return out;
}

std::string EventBus::Head() {
  WaitForBackfill();
  std::lock_guard lock(mu_);
  return ring_.empty() ? std::string("0-0") : ring_.back().id;
}

}  // namespace stepwise::services
