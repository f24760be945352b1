#include "services/checker.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "core/log.hpp"
#include "core/time.hpp"

extern char** environ;

namespace stepwise::services {

namespace {

constexpr size_t kMaxLine = size_t{32} * 1024 * 1024;

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

CheckerProcess::~CheckerProcess() { Stop(); }

nlohmann::json CheckerProcess::Ready() const {
  std::lock_guard lock(mu_);
  return alive_ ? ready_ : nlohmann::json();
}

std::unique_ptr<CheckerProcess::Conversation> CheckerProcess::Open(const std::string& check_id) {
  std::unique_lock lock(mu_);
  if (stopping_) throw std::runtime_error("the server is stopping");
  if (!alive_) StartLocked(lock);
  if (conversations_.count(check_id) != 0)
    throw std::runtime_error("check " + check_id + " is already running");
  auto c = std::unique_ptr<Conversation>(new Conversation(*this, check_id, generation_));
  conversations_[check_id] = c.get();
  return c;
}

void CheckerProcess::StartLocked(std::unique_lock<std::mutex>& lock) {
  // Backoff after starts that died early: 1 s, 2 s, 4 s … 30 s.
  if (failures_ > 0) {
    const int64_t wait = std::min<int64_t>(30000, int64_t{1000} << std::min(failures_ - 1, 5));
    const int64_t since = core::NowMillis() - last_start_ms_;
    if (since < wait) {
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(wait - since));
      lock.lock();
      if (alive_) return;
    }
  }
  if (reader_.joinable()) {
    // The previous reader has seen EOF (alive_ is false): it ends by itself.
    lock.unlock();
    reader_.join();
    lock.lock();
    if (alive_) return;
  }
  if (options_.command.empty()) throw std::runtime_error("no checker command is set (CHECKER_COMMAND)");

  // The environment for the child, built before fork (nothing but exec after it).
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos && options_.env.count(kv.substr(0, eq)) != 0) continue;
    env_text.push_back(kv);
  }
  for (const auto& [k, v] : options_.env) env_text.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_text) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dash_c = "-c", cmd = "exec " + options_.command;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};

  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::setpgid(0, 0);  // its own process group: Chromium is killed with it
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::execve("/bin/sh", argv, envp.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  ::close(in[0]);
  ::close(out[1]);
  pid_ = pid;
  stdin_fd_ = in[1];
  alive_ = true;
  ready_ = nlohmann::json();
  const uint64_t generation = ++generation_;
  last_start_ms_ = core::NowMillis();
  starts_.fetch_add(1);
  reader_ = std::thread([this, fd = out[0], generation] { ReadLoop(fd, generation); });
  core::LogInfo("checker started", {{"pid", pid}, {"command", options_.command}});

  const bool ready = ready_cv_.wait_for(lock, std::chrono::milliseconds(options_.start_timeout_ms), [&] {
    return !ready_.is_null() || !alive_ || generation_ != generation;
  });
  if (ready && !ready_.is_null() && alive_) {
    failures_ = 0;
    return;
  }
  ++failures_;
  if (alive_ && pid_ > 0) ::kill(-pid_, SIGKILL);
  throw std::runtime_error(ready ? "the checker exited while starting" : "the checker did not start in time");
}

void CheckerProcess::ReadLoop(int fd, uint64_t generation) {
  std::string buf;
  char chunk[65536];
  bool overlong = false;
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(chunk, static_cast<size_t>(n));
    size_t start = 0;
    for (;;) {
      const auto nl = buf.find('\n', start);
      if (nl == std::string::npos) break;
      if (!overlong) {
        auto line = nlohmann::json::parse(std::string_view(buf).substr(start, nl - start), nullptr, false);
        if (line.is_object())
          Route(line, generation);
        else
          core::LogWarn("checker wrote a line that is not a JSON object", {});
      }
      overlong = false;
      start = nl + 1;
    }
    buf.erase(0, start);
    if (buf.size() > kMaxLine) {
      core::LogWarn("checker line over 32 MiB dropped", {});
      buf.clear();
      overlong = true;
    }
  }
  ::close(fd);
  Died(generation);
}

void CheckerProcess::Route(const nlohmann::json& line, uint64_t generation) {
  const std::string type = line.value("type", "");
  if (type == "log") {
    const std::string level = line.value("level", "info");
    nlohmann::json fields = {{"message", line.value("message", "")}};
    if (line.contains("id")) fields["check"] = line["id"];
    if (level == "error" || level == "warn")
      core::LogWarn("checker", fields);
    else
      core::LogInfo("checker", fields);
    return;
  }
  std::lock_guard lock(mu_);
  if (generation != generation_) return;
  if (type == "ready") {
    ready_ = line;
    ready_cv_.notify_all();
    return;
  }
  const auto id = line.find("id");
  if (id == line.end()) return;
  const std::string key = id->is_string() ? id->get<std::string>() : id->dump();
  const auto it = conversations_.find(key);
  if (it == conversations_.end()) return;  // a check that gave up already
  it->second->lines_.push_back(line);
  it->second->cv_.notify_all();
}

void CheckerProcess::Died(uint64_t generation) {
  int status = 0;
  pid_t pid = -1;
  {
    std::lock_guard lock(mu_);
    if (generation != generation_) return;
    pid = pid_;
  }
  if (pid > 0) {
    ::kill(-pid, SIGKILL);  // Chromium and its helpers go with it
    ::waitpid(pid, &status, 0);
  }
  std::lock_guard lock(mu_);
  alive_ = false;
  pid_ = -1;
  {
    std::lock_guard wl(write_mu_);
    CloseFd(stdin_fd_);
  }
  if (core::NowMillis() - last_start_ms_ < 10000) ++failures_;
  core::LogWarn("checker exited", {{"status", WIFEXITED(status) ? WEXITSTATUS(status) : -1},
                                   {"signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0},
                                   {"checks", conversations_.size()}});
  for (auto& [id, c] : conversations_) {
    if (c->generation_ != generation) continue;
    c->lines_.push_back({{"type", "crashed"}, {"id", id}});
    c->cv_.notify_all();
  }
  ready_cv_.notify_all();
}

bool CheckerProcess::WriteLine(const std::string& text, uint64_t generation) {
  {
    std::lock_guard lock(mu_);
    if (!alive_ || generation != generation_) return false;
  }
  std::lock_guard wl(write_mu_);
  if (stdin_fd_ < 0) return false;
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(stdin_fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // EPIPE: the reader sees EOF and reports the crash
    done += static_cast<size_t>(n);
  }
  return true;
}

void CheckerProcess::Kill() {
  std::lock_guard lock(mu_);
  if (alive_ && pid_ > 0) ::kill(-pid_, SIGKILL);
}

void CheckerProcess::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    std::lock_guard wl(write_mu_);
    CloseFd(stdin_fd_);  // EOF: the checker closes Chromium and exits
  }
  pid_t pid = -1;
  {
    std::lock_guard lock(mu_);
    pid = alive_ ? pid_ : -1;
  }
  if (pid > 0) {
    for (int i = 0; i < 50; ++i) {
      {
        std::lock_guard lock(mu_);
        if (!alive_) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Kill();
  }
  if (reader_.joinable()) reader_.join();
}

CheckerProcess::Conversation::~Conversation() {
  std::lock_guard lock(owner_.mu_);
  const auto it = owner_.conversations_.find(id_);
  if (it != owner_.conversations_.end() && it->second == this) owner_.conversations_.erase(it);
}

std::optional<nlohmann::json> CheckerProcess::Conversation::Next(int64_t timeout_ms) {
  std::unique_lock lock(owner_.mu_);
  if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return !lines_.empty(); }))
    return std::nullopt;
  auto line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

bool CheckerProcess::Conversation::Send(const nlohmann::json& line) {
  return owner_.WriteLine(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                          generation_);
}

}  // namespace stepwise::services
