#pragma once
// Live events for the dashboard's event stream: labeling progress, status changes, notifications.
// Kept in a ring of the last 1,000 per process; with Redis every process publishes to one Redis
// stream and reads all of them back, so a client sees events from workers in other processes too.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace stepwise::storage {
class Redis;
}

namespace stepwise::services {

struct Event {
  std::string id;  // increasing (compare with EventIdLess)
  int64_t company_id = 0;
  std::string type;  // progress, workflow_status, notification
  std::string data;  // JSON text
  bool admins_only = false;
};

// Event ids: "<millis>-<seq>", ordered numerically part by part (Redis stream ids have that form).
bool EventIdLess(const std::string& a, const std::string& b);

class EventBus {
 public:
  static constexpr size_t kKeep = 1000;
  // With `redis`, events go through the stream `<prefix>:events`.
  explicit EventBus(storage::Redis* redis = nullptr, std::string prefix = "stepwise");
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  void Publish(int64_t company_id, const std::string& type, const nlohmann::json& data,
               bool admins_only = false);
  // Events of `company_id` after `after` ("" = only what is newest from now: none), that the
  // caller may see. `gap` is set when `after` is older than the ring.
  std::vector<Event> Since(int64_t company_id, bool admin, const std::string& after, bool* gap = nullptr);
  // The newest id (where a new subscriber starts).
  std::string Head();

 private:
  void Append(Event e);
  void ReadRedis();
  // The ring filled from the stream's newest kKeep entries (a node that just started resumes a
  // client's Last-Event-ID like the others); returns the newest id read.
  std::string Backfill();
  void WaitForBackfill();

  storage::Redis* redis_;
  std::string stream_;
  std::mutex mu_;
  std::deque<Event> ring_;
  int64_t last_ms_ = 0;
  int64_t seq_ = 0;
  std::atomic<bool> stop_{false};
  bool backfilled_ = false;  // under mu_; true at once without Redis
  std::condition_variable backfilled_cv_;
  std::thread reader_;
};

}  // namespace stepwise::services
