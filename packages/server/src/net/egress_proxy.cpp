#include "net/egress_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "net/egress.hpp"

namespace stepwise::net {

namespace {

constexpr size_t kMaxHead = 16 * 1024;
constexpr int kHeadTimeoutMs = 10000;
constexpr int kConnectTimeoutMs = 10000;
constexpr int kIdleTimeoutMs = 120000;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// "host:port" or "[v6]:port" → (host, port); port `fallback` when absent. false when malformed.
bool SplitHostPort(std::string_view text, int fallback, std::string& host, int& port) {
  port = fallback;
  if (text.empty()) return false;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(text.substr(1, close - 1));
    text.remove_prefix(close + 1);
    if (text.empty()) return !host.empty();
    if (text.front() != ':') return false;
    text.remove_prefix(1);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      host = std::string(text);
      return true;
    }
    host = std::string(text.substr(0, colon));
    text.remove_prefix(colon + 1);
  }
  if (text.empty() || text.size() > 5 || !std::all_of(text.begin(), text.end(), ::isdigit)) return false;
  port = std::stoi(std::string(text));
  return !host.empty() && port > 0 && port < 65536;
}

int ConnectWithTimeout(const sockaddr* addr, socklen_t len) {
  const int fd = ::socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  if (::connect(fd, addr, len) != 0) {
    if (errno != EINPROGRESS) {
      ::close(fd);
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t err_len = sizeof err;
    if (::poll(&p, 1, kConnectTimeoutMs) != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0) {
      ::close(fd);
      return -1;
    }
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

// Copies both ways until both sides are done or nothing moves for kIdleTimeoutMs.
void Splice(int a, int b) {
  bool a_open = true, b_open = true;
  char buf[32768];
  while (a_open || b_open) {
    pollfd p[2] = {{a, static_cast<short>(a_open ? POLLIN : 0), 0},
                   {b, static_cast<short>(b_open ? POLLIN : 0), 0}};
    const int r = ::poll(p, 2, kIdleTimeoutMs);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return;
    for (int i = 0; i < 2; ++i) {
      if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const int from = i == 0 ? a : b;
      const int to = i == 0 ? b : a;
      const ssize_t n = ::recv(from, buf, sizeof buf, 0);
      if (n > 0) {
        if (!WriteAll(to, std::string_view(buf, static_cast<size_t>(n)))) return;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      (i == 0 ? a_open : b_open) = false;
      ::shutdown(to, SHUT_WR);
      if (n < 0) return;
    }
  }
}

}  // namespace

EgressProxy::EgressProxy(std::set<std::pair<std::string, int>> allowed, bool allow_private)
    : allowed_(std::move(allowed)), allow_private_(allow_private) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(std::string("egress proxy socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      ::pipe2(wake_, O_CLOEXEC) != 0) {
    const std::string err = std::strerror(errno);
    ::close(listen_fd_);
    throw std::runtime_error("egress proxy listen: " + err);
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

EgressProxy::~EgressProxy() { Stop(); }

std::vector<std::string> EgressProxy::Refusals() const {
  std::lock_guard lock(mu_);
  return refusals_;
}

void EgressProxy::Stop() {
  if (stopping_.exchange(true)) return;
  const char x = 1;
  (void)!::write(wake_[1], &x, 1);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void EgressProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents != 0 || stopping_) return;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(mu_);
    open_fds_.push_back(client);
    threads_.emplace_back([this, client] { Serve(client); });
  }
}

void EgressProxy::Refuse(int client, const std::string& why) {
  {
    std::lock_guard lock(mu_);
    if (refusals_.size() < 50 && std::find(refusals_.begin(), refusals_.end(), why) == refusals_.end())
      refusals_.push_back(why);
  }
  const std::string body = "Refused by the Stepwise egress policy: " + why + "\n";
  WriteAll(client, "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}

void EgressProxy::Serve(int client) {
  std::string head;
  char buf[8192];
  size_t end = std::string::npos;
  while (end == std::string::npos && head.size() < kMaxHead) {
    pollfd p{client, POLLIN, 0};
    if (::poll(&p, 1, kHeadTimeoutMs) != 1) break;
    const ssize_t n = ::recv(client, buf, sizeof buf, 0);
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
    end = head.find("\r\n\r\n");
  }
  int upstream = -1;
  [&] {
    if (end == std::string::npos) return;
    requests_.fetch_add(1);
    const std::string rest = head.substr(end + 4);
    head.resize(end + 2);  // keeps the last header's CRLF
    const auto line_end = head.find("\r\n");
    const std::string line = head.substr(0, line_end);
    const auto sp1 = line.find(' ');
    const auto sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 == sp1) return Refuse(client, "a malformed request");
    const std::string method = line.substr(0, sp1);
    const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string version = line.substr(sp2 + 1);
    const bool tunnel = method == "CONNECT";
    std::string host, path = "/";
    int port = 0;
    if (tunnel) {
      if (!SplitHostPort(target, 443, host, port)) return Refuse(client, "a malformed CONNECT target");
    } else {
      if (Lower(target.substr(0, 7)) != "http://")
        return Refuse(client, "only http:// and https:// are proxied");
      const auto slash = target.find('/', 7);
      const std::string authority =
          target.substr(7, slash == std::string::npos ? std::string::npos : slash - 7);
      if (slash != std::string::npos) path = target.substr(slash);
      if (authority.find('@') != std::string::npos || !SplitHostPort(authority, 80, host, port))
        return Refuse(client, "a malformed request target");
    }
    host = Lower(host);
    const std::string name =
        (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
    if (allowed_.count({host, port}) == 0)
      return Refuse(client, name + " is not one of the workflow's recorded origins");

    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr)
      return Refuse(client, name + " does not resolve");
    std::string why;
    for (auto* a = found; a != nullptr && upstream < 0; a = a->ai_next) {
      const std::string refused = RefusedAddress(a->ai_addr, allow_private_);
      if (!refused.empty()) {
        why = name + ": " + refused + (allow_private_ ? "" : " (CHECKS_ALLOW_PRIVATE=true allows it)");
        continue;
      }
      upstream = ConnectWithTimeout(a->ai_addr, a->ai_addrlen);  // the checked address, no second lookup
      if (upstream < 0) why = name + ": the connection failed";
    }
    ::freeaddrinfo(found);
    if (upstream < 0) {
      if (why.find("failed") != std::string::npos) {
        WriteAll(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      return Refuse(client, why);
    }
    {
      std::lock_guard lock(mu_);
      open_fds_.push_back(upstream);
    }
    if (tunnel) {
      if (!WriteAll(client, "HTTP/1.1 200 Connection Established\r\n\r\n") || !WriteAll(upstream, rest))
        return;
    } else {
      std::string out = method + " " + path + " " + version + "\r\n";
      size_t pos = line_end + 2;
      while (pos < head.size()) {
        const auto eol = head.find("\r\n", pos);
        const std::string h = head.substr(pos, eol - pos);
        pos = eol + 2;
        const std::string key = Lower(h.substr(0, h.find(':')));
        if (key == "proxy-connection" || key == "proxy-authorization" || key == "connection" ||
            key == "keep-alive")
          continue;
        out += h + "\r\n";
      }
      out += "Connection: close\r\n\r\n";
      if (!WriteAll(upstream, out) || !WriteAll(upstream, rest)) return;
    }
    Splice(client, upstream);
  }();
  std::lock_guard lock(mu_);
  for (const int fd : {client, upstream}) {
    if (fd < 0) continue;
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
    ::close(fd);
  }
}

}  // namespace stepwise::net
