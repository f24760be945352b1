#include "net/egress_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace stepwise::net {
namespace {

// A one-shot HTTP server on loopback: answers the first request with "hello" and remembers it.
struct Upstream {
  int fd = -1;
  int port = 0;
  std::string seen;
  std::thread t;
  Upstream() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd, 4);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    t = std::thread([this] {
      const int c = ::accept(fd, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n > 0) seen.assign(buf, static_cast<size_t>(n));
      const std::string reply = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
      ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    });
  }
  ~Upstream() {
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    if (t.joinable()) t.join();
  }
};

std::string Through(const EgressProxy& proxy, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(proxy.Port()));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return "connect failed";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

TEST(EgressProxy, ForwardsToARecordedOriginWhenPrivateAddressesAreAllowed) {
  Upstream up;
  EgressProxy proxy({{"127.0.0.1", up.port}}, true);
  const auto port = std::to_string(up.port);
  const auto reply =
      Through(proxy, "GET http://127.0.0.1:" + port + "/form?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + port +
                         "\r\nProxy-Connection: keep-alive\r\n\r\n");
  EXPECT_NE(reply.find("200 OK"), std::string::npos) << reply;
  EXPECT_NE(reply.find("hello"), std::string::npos);
  up.t.join();
  EXPECT_EQ(up.seen.rfind("GET /form?x=1 HTTP/1.1\r\n", 0), 0u) << up.seen;  // origin-form
  EXPECT_EQ(up.seen.find("Proxy-Connection"), std::string::npos);
  EXPECT_NE(up.seen.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(proxy.Refusals().empty());
}

TEST(EgressProxy, TunnelsConnect) {
  Upstream up;
  EgressProxy proxy({{"127.0.0.1", up.port}}, true);
  const auto port = std::to_string(up.port);
  const auto reply = Through(proxy, "CONNECT 127.0.0.1:" + port + " HTTP/1.1\r\nHost: 127.0.0.1:" + port +
                                        "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 Connection Established\r\n\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("hello"), std::string::npos);
}

TEST(EgressProxy, RefusesLoopbackUnlessAllowed) {
  Upstream up;
  EgressProxy proxy({{"127.0.0.1", up.port}}, false);
  const auto port = std::to_string(up.port);
  const auto reply = Through(proxy, "GET http://127.0.0.1:" + port + "/ HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 403", 0), 0u) << reply;
  ASSERT_EQ(proxy.Refusals().size(), 1u);
  EXPECT_NE(proxy.Refusals()[0].find("loopback"), std::string::npos) << proxy.Refusals()[0];
  EXPECT_NE(proxy.Refusals()[0].find("CHECKS_ALLOW_PRIVATE"), std::string::npos);
}

TEST(EgressProxy, RefusesWhatIsNotARecordedOrigin) {
  Upstream up;
  EgressProxy proxy({{"127.0.0.1", up.port + 1}}, true);
  const auto reply = Through(proxy, "CONNECT 127.0.0.1:" + std::to_string(up.port) + " HTTP/1.1\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 403", 0), 0u) << reply;
  EXPECT_NE(proxy.Refusals().at(0).find("not one of the workflow's recorded origins"), std::string::npos);
  for (const char* bad : {"GET /relative HTTP/1.1\r\n\r\n", "GET ftp://x/ HTTP/1.1\r\n\r\n",
                          "GET http://u@127.0.0.1/ HTTP/1.1\r\n\r\n", "nonsense\r\n\r\n"})
    EXPECT_EQ(Through(proxy, bad).rfind("HTTP/1.1 403", 0), 0u) << bad;
}

}  // namespace
}  // namespace stepwise::net
