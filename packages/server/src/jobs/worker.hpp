#pragma once
// Task registry, the worker pool that runs jobs, and the scheduler of periodic tasks.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "jobs/queue.hpp"
#include "storage/db/database.hpp"

namespace stepwise::jobs {

using Task = std::function<void(const Job&)>;

// Job type → task. A task throws to fail (retried with backoff), PermanentFailure to skip the
// remaining attempts.
class Registry {
 public:
  void Add(const std::string& type, Task task) { tasks_[type] = std::move(task); }
  const Task* Find(const std::string& type) const {
    auto it = tasks_.find(type);
    return it == tasks_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, Task> tasks_;
};

struct WorkerOptions {
  int concurrency = 4;
  int64_t visibility_ms =
      30000;  // the lease: renewed while a job runs; a vanished worker's jobs return after it
  int64_t retry_base_ms = 1000;
  int64_t retry_cap_ms = 60000;
};

struct WorkerCounters {
  std::atomic<int64_t> done{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> dead{0};
};

// One thread claims jobs for the free slots; `concurrency` threads run them.
class WorkerPool {
 public:
  WorkerPool(Queue& queue, const Registry& registry, WorkerOptions options);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Start();
  // Stops claiming, lets running jobs finish (their leases expire if the process dies first).
  void Stop();
  const WorkerCounters& Counters() const { return counters_; }

 private:
  void FetchLoop();
  void RunLoop();
  void Run(Job& job);
  void LeaseLoop();

  Queue& queue_;
  const Registry& registry_;
  WorkerOptions options_;
  std::string owner_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable cv_;       // work for runners, or stop
  std::condition_variable free_cv_;  // a slot came free
  std::deque<Job> ready_;
  std::map<std::string, Job> held_;  // claimed and not finished, by id: their leases are renewed
  std::condition_variable lease_cv_;
  int busy_ = 0;  // claimed and not finished
  std::vector<std::thread> threads_;
  WorkerCounters counters_;
};

struct PeriodicTask {
  std::string name;  // also the job type enqueued
  int64_t period_ms;
};

// Each tick, every process tries to move a task's next_run_at forward; the one that does runs the
// task (its registered job type) in the scheduler's own thread — not through the queue, so that a
// queue full of slow jobs (a hanging AI vendor) cannot hold up the watchdog that rescues them. Each
// period runs once across all processes.
class Scheduler {
 public:
  Scheduler(storage::Database& db, const Registry& registry, std::vector<PeriodicTask> tasks,
            int64_t tick_ms = 1000);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  void Start();
  void Stop();
  // One tick now (tests, and the loop). Returns the names run.
  std::vector<std::string> Tick(int64_t now_ms);

 private:
  storage::Database& db_;
  const Registry& registry_;
  std::vector<PeriodicTask> tasks_;
  int64_t tick_ms_;
  std::jthread thread_;
};

}  // namespace stepwise::jobs
