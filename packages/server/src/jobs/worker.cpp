#include "jobs/worker.hpp"

#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <stop_token>

#include "core/crypto.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/time.hpp"
#include "storage/db/jobs.hpp"

namespace stepwise::jobs {

WorkerPool::WorkerPool(Queue& queue, const Registry& registry, WorkerOptions options)
    : queue_(queue), registry_(registry), options_(options) {
  // Unique per pool and process: a lease names who holds it.
  owner_ = "w" + std::to_string(::getpid()) + "-" + core::RandomToken(6);
}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Start() {
  if (!threads_.empty() || options_.concurrency <= 0) return;
  // Named, so that top -H and profilers tell job work from request work.
  threads_.emplace_back([this] {
    pthread_setname_np(pthread_self(), "job-fetch");
    FetchLoop();
  });
  for (int i = 0; i < options_.concurrency; ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "job-worker");
      RunLoop();
    });
  }
  threads_.emplace_back([this] {
    pthread_setname_np(pthread_self(), "job-lease");
    LeaseLoop();
  });
}

void WorkerPool::LeaseLoop() {
  const auto every = std::chrono::milliseconds(std::max<int64_t>(options_.visibility_ms / 3, 50));
  std::unique_lock lock(mu_);
  // Runs until stopped and every held job is done: a job finishing during shutdown keeps its lease.
  const auto done = [&] { return stopping_.load() && held_.empty(); };
  while (!done()) {
    if (lease_cv_.wait_for(lock, every, done)) break;
    std::vector<Job> held;
    held.reserve(held_.size());
    for (const auto& [id, job] : held_) held.push_back(job);
    if (held.empty()) continue;
    lock.unlock();
    try {
      queue_.Extend(held, options_.visibility_ms);
    } catch (const std::exception& e) {
      core::LogWarn("job leases not renewed",
                    {{"queue", queue_.Name()}, {"jobs", held.size()}, {"error", e.what()}});
    }
    lock.lock();
  }
}

void WorkerPool::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  free_cv_.notify_all();
  lease_cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::FetchLoop() {
  while (!stopping_) {
    int free = 0;
    {
      std::unique_lock lock(mu_);
      free_cv_.wait(lock, [&] { return stopping_ || busy_ < options_.concurrency; });
      if (stopping_) return;
      free = options_.concurrency - busy_;
    }
    std::vector<Job> jobs;
    try {
      jobs = queue_.Claim(owner_, free, options_.visibility_ms, 250);
    } catch (const std::exception& e) {
      core::LogWarn("job claim failed", {{"queue", queue_.Name()}, {"error", e.what()}});
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    if (jobs.empty()) continue;
    {
      std::lock_guard lock(mu_);
      busy_ += static_cast<int>(jobs.size());
      for (auto& j : jobs) {
        held_[j.id] = j;
        ready_.push_back(std::move(j));
      }
    }
    cv_.notify_all();
  }
}

void WorkerPool::RunLoop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !ready_.empty(); });
      if (ready_.empty()) return;  // stopping, nothing left
      job = std::move(ready_.front());
      ready_.pop_front();
    }
    Run(job);
    {
      std::lock_guard lock(mu_);
      held_.erase(job.id);
      --busy_;
    }
    lease_cv_.notify_all();
    free_cv_.notify_one();
  }
}

void WorkerPool::Run(Job& job) {
  static auto& outcomes = core::metrics::Default().Counters(
      "stepwise_jobs_total", "Jobs run, by type and outcome.", {"type", "outcome"});
  static auto& durations = core::metrics::Default().Histograms(
      "stepwise_job_duration_seconds", "Time a job's task ran, in seconds.", {"type"});
  const Task* task = registry_.Find(job.type);
  const auto started = std::chrono::steady_clock::now();
  const auto took = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  try {
    if (task == nullptr) throw PermanentFailure("no task is registered for job type " + job.type);
    (*task)(job);
    queue_.Ack(job);
    ++counters_.done;
    outcomes.With({job.type, "done"}).Inc();
    durations.With({job.type}).Observe(took());
  } catch (const core::Interrupted&) {
    // Stopped by shutdown, not failed: handed back to run again at once (in another process, or
    // in this one after its restart). On its last attempt it stays leased, so that it is not
    // dead-lettered, and comes back when the lease runs out.
    core::LogInfo("job interrupted by shutdown; handed back", {{"type", job.type}, {"attempt", job.attempt}});
    if (job.attempt < job.max_attempts) {
      try {
        queue_.Fail(job, "interrupted by shutdown", 0, false);
      } catch (const std::exception& e) {
        core::LogWarn("interrupted job not handed back; its lease runs out",
                      {{"type", job.type}, {"error", e.what()}});
      }
    }
  } catch (const std::exception& e) {
    const bool permanent = dynamic_cast<const PermanentFailure*>(&e) != nullptr;
    const bool last = permanent || job.attempt >= job.max_attempts;
    (last ? counters_.dead : counters_.failed)++;
    outcomes.With({job.type, last ? "dead" : "failed"}).Inc();
    durations.With({job.type}).Observe(took());
    core::Log(last ? core::LogLevel::kError : core::LogLevel::kWarn,
              last ? "job dead-lettered" : "job failed; will retry",
              {{"type", job.type},
               {"attempt", job.attempt},
               {"max_attempts", job.max_attempts},
               {"error", e.what()}});
    try {
      queue_.Fail(job, e.what(), BackoffMs(job.attempt, options_.retry_base_ms, options_.retry_cap_ms),
                  permanent);
    } catch (const std::exception& e2) {
      // The lease runs out and the job comes back.
      core::LogWarn("job failure not recorded", {{"type", job.type}, {"error", e2.what()}});
    }
  }
}

Scheduler::Scheduler(storage::Database& db, const Registry& registry, std::vector<PeriodicTask> tasks,
                     int64_t tick_ms)
    : db_(db), registry_(registry), tasks_(std::move(tasks)), tick_ms_(tick_ms) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  if (thread_.joinable() || tasks_.empty()) return;
  thread_ = std::jthread([this](const std::stop_token& stop) {
    do {
      try {
        Tick(core::NowMillis());
      } catch (const std::exception& e) {
        core::LogWarn("scheduler tick failed", {{"error", e.what()}});
      }
    } while (core::SleepUnlessStopped(stop, std::chrono::milliseconds(tick_ms_)));
  });
}

void Scheduler::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

std::vector<std::string> Scheduler::Tick(int64_t now_ms) {
  std::vector<std::string> ran;
  for (const auto& t : tasks_) {
    const int64_t next = now_ms + t.period_ms;
    const bool won = storage::ScheduleTable(db_).TryTake(t.name, now_ms, next);
    if (!won) continue;
    ran.push_back(t.name);
    core::LogInfo("periodic task", {{"task", t.name}});
    const Task* task = registry_.Find(t.name);
    if (task == nullptr) {
      core::LogError("no task is registered for a periodic task", {{"task", t.name}});
      continue;
    }
    try {
      Job job;
      job.type = t.name;
      job.payload = nlohmann::json::object();
      (*task)(job);
    } catch (const std::exception& e) {
      core::LogWarn("periodic task failed; it runs again next period",
                    {{"task", t.name}, {"error", e.what()}});
    }
  }
  return ran;
}

}  // namespace stepwise::jobs
