#pragma once
// The egress policy for a scheduled check's browser (docs/checker.md): an HTTP proxy on loopback,
// one per check, through which every request of the check's browser context goes. It lets a
// request through only to the workflow's recorded origins (host and port), resolves the host
// itself, refuses addresses the policy refuses (loopback, private, link-local, metadata … unless
// allowed), and connects to the address it checked (pinned: no second lookup to rebind).
// CONNECT tunnels (https) and absolute-form requests (http) are both handled; an http request is
// sent on with `Connection: close`, so each connection carries one origin.
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace stepwise::net {

class EgressProxy {
 public:
  // `allowed`: (lowercase host, port) pairs.
  EgressProxy(std::set<std::pair<std::string, int>> allowed, bool allow_private);
  ~EgressProxy();
  EgressProxy(const EgressProxy&) = delete;
  EgressProxy& operator=(const EgressProxy&) = delete;

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int Port() const { return port_; }
  // What was refused so far, worded for an admin ("127.0.0.1:8080: a loopback address").
  std::vector<std::string> Refusals() const;
  int64_t Requests() const { return requests_.load(); }
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int client);
  void Refuse(int client, const std::string& why);

  std::set<std::pair<std::string, int>> allowed_;
  bool allow_private_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> requests_{0};
  mutable std::mutex mu_;
  std::vector<std::string> refusals_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace stepwise::net
