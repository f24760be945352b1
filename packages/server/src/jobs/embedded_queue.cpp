// The embedded backend: the `jobs` table is the queue.
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>

#include <map>
#include "core/time.hpp"
#include "storage/db/jobs.hpp"

#include "jobs/queue.hpp"

namespace stepwise::jobs {

namespace {

class EmbeddedQueue : public Queue {
 public:
  explicit EmbeddedQueue(storage::Database& db) : Queue(db), table_(db) {}

  void EnqueueIn(soci::session& sql, const std::string& type, const nlohmann::json& payload,
                 const EnqueueOptions& options) override {
    table_.Insert(sql, "queued", type, payload.dump(), core::NowMillis() + options.delay_ms,
                  options.max_attempts);
  }

  void Flush() override {
    {
      std::lock_guard lock(mu_);
      ++signal_;
    }
    cv_.notify_all();
  }

  std::vector<Job> Claim(const std::string& owner, int max, int64_t visibility_ms, int64_t wait_ms) override {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    for (;;) {
      uint64_t seen = 0;
      {
        std::lock_guard lock(mu_);
        seen = signal_;
      }
      auto rows = table_.Claim("queued", owner, max, core::NowMillis(), visibility_ms);
      if (!rows.empty()) {
        std::vector<Job> jobs;
        jobs.reserve(rows.size());
        for (auto& r : rows) {
          Job j;
          j.id = std::to_string(r.id);
          j.type = std::move(r.type);
          j.payload = nlohmann::json::parse(r.payload, nullptr, false);
          j.attempt = r.attempts;
          j.max_attempts = r.max_attempts;
          j.owner = owner;
          jobs.push_back(std::move(j));
        }
        return jobs;
      }
      // Nothing ready: sleep until this process enqueues something, or poll again shortly for
      // jobs from other processes and delayed retries coming due.
      std::unique_lock lock(mu_);
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return {};
      const auto until = std::min(deadline, now + std::chrono::milliseconds(kPollMs));
      cv_.wait_until(lock, until, [&] { return signal_ != seen; });
      if (std::chrono::steady_clock::now() >= deadline && signal_ == seen) return {};
    }
  }

  void Extend(const std::vector<Job>& jobs, int64_t visibility_ms) override {
    std::map<std::string, std::vector<int64_t>> by_owner;
    for (const auto& j : jobs) by_owner[Owner(j)].push_back(std::stoll(j.id));
    for (const auto& [owner, ids] : by_owner) table_.Extend(ids, owner, core::NowMillis() + visibility_ms);
  }

  void Ack(const Job& job) override { table_.Delete(std::stoll(job.id), Owner(job)); }

  void Fail(const Job& job, const std::string& error, int64_t retry_in_ms, bool permanent) override {
    if (permanent || job.attempt >= job.max_attempts) {
      table_.Dead(std::stoll(job.id), Owner(job), error);
    } else {
      table_.Retry(std::stoll(job.id), Owner(job), core::NowMillis() + retry_in_ms, error);
    }
  }

  const char* Name() const override { return "embedded"; }

 private:
  static constexpr int64_t kPollMs = 250;
  static const std::string& Owner(const Job& job) { return job.owner; }

  storage::JobTable table_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t signal_ = 0;
};

}  // namespace

std::unique_ptr<Queue> MakeEmbeddedQueue(storage::Database& db) {
  return std::make_unique<EmbeddedQueue>(db);
}

void Queue::Enqueue(const std::string& type, const nlohmann::json& payload, const EnqueueOptions& options) {
  db_.Transaction([&](soci::session& sql) { EnqueueIn(sql, type, payload, options); });
  Flush();
}

int64_t BackoffMs(int attempt, int64_t base_ms, int64_t cap_ms) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t delay = base_ms;
  for (int i = 1; i < attempt && delay < cap_ms; ++i) delay *= 2;
  delay = std::min(delay, cap_ms);
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return static_cast<int64_t>(static_cast<double>(delay) * jitter(rng));
}

}  // namespace stepwise::jobs
