#pragma once
// The checker process (docs/checker.md): `packages/checker`, a Node process driving one headless
// Chromium, spoken to in JSON lines over its stdin and stdout. Started on first use, restarted
// (with backoff) when it exits; a check's lines are routed to that check's conversation.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

namespace stepwise::services {

struct CheckerOptions {
  std::string command;                     // run with /bin/sh -c
  std::map<std::string, std::string> env;  // added to the server's environment
  int64_t start_timeout_ms = 60000;        // until its `ready` line
};

class CheckerProcess {
 public:
  explicit CheckerProcess(CheckerOptions options) : options_(std::move(options)) {}
  ~CheckerProcess();
  CheckerProcess(const CheckerProcess&) = delete;
  CheckerProcess& operator=(const CheckerProcess&) = delete;

  // One check's conversation. Lines carrying its id arrive here in order; when the process dies,
  // a {"type": "crashed"} line.
  class Conversation {
   public:
    ~Conversation();
    Conversation(const Conversation&) = delete;
    Conversation& operator=(const Conversation&) = delete;
    // The next line, or nullopt after `timeout_ms` without one.
    std::optional<nlohmann::json> Next(int64_t timeout_ms);
    // False when the process is gone (the crashed line follows).
    bool Send(const nlohmann::json& line);

   private:
    friend class CheckerProcess;
    Conversation(CheckerProcess& owner, std::string id, uint64_t generation)
        : owner_(owner), id_(std::move(id)), generation_(generation) {}
    CheckerProcess& owner_;
    std::string id_;
    uint64_t generation_;
    std::deque<nlohmann::json> lines_;
    std::condition_variable cv_;
  };

  // Starts the process if it is not running (waits for `ready`) and opens a conversation for
  // `check_id`. Throws std::runtime_error when the checker cannot be started.
  std::unique_ptr<Conversation> Open(const std::string& check_id);
  // Kills the process (and its Chromium): for a checker that stopped answering.
  void Kill();
  // Closes its stdin and waits for it to exit (then kills it); Open throws from then on.
  void Stop();
  int64_t Starts() const { return starts_.load(); }
  // The `ready` line of the running process (version, chromium, max_pages); null when none.
  nlohmann::json Ready() const;

 private:
  void StartLocked(std::unique_lock<std::mutex>& lock);
  void ReadLoop(int fd, uint64_t generation);
  void Route(const nlohmann::json& line, uint64_t generation);
  void Died(uint64_t generation);
  bool WriteLine(const std::string& text, uint64_t generation);

  CheckerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable ready_cv_;
  std::mutex write_mu_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  bool alive_ = false;
  bool stopping_ = false;
  nlohmann::json ready_;
  uint64_t generation_ = 0;
  int64_t last_start_ms_ = 0;
  int failures_ = 0;  // starts in a row that died early: the backoff grows
  std::map<std::string, Conversation*> conversations_;
  std::thread reader_;
  std::atomic<int64_t> starts_{0};
};

}  // namespace stepwise::services
