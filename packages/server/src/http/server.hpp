#pragma once
// The HTTP/1.1 listener: keep-alive sessions as coroutines, a deadline on every read, header and
// body limits, request ids, CORS, security headers, a JSON access log, and graceful shutdown on
// SIGTERM/SIGINT (stop accepting, let in-flight requests finish within a grace period).
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/config.hpp"
#include "http/asio.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"
#include "http/types.hpp"

namespace stepwise::http {

struct ServerHooks {
  // Resolves a bearer token to the caller. Blocking (database): runs on the db pool. Throws
  // core::Error UNAUTHORIZED when the token or its user is not valid.
  std::function<Principal(std::string_view token)> authenticate;
  // Per-user request budget: 0 when allowed, else seconds until the next request is allowed.
  // May block (Redis): runs on the db pool together with authenticate.
  std::function<int(const Principal&)> limit_user;
  // Optional fast path on the I/O thread: the caller from a cache, nullopt when the database
  // must be asked (then `authenticate` runs on the db pool). Must not block.
  std::function<std::optional<Principal>(std::string_view token)> authenticate_cached;
  // Whether `limit_user` never blocks (the in-process limiter), so the fast path may call it.
  bool limit_user_is_local = false;
  // Called once when draining starts (SIGTERM with DRAIN_SECONDS > 0): /api/ready turns 503.
  std::function<void()> on_drain;
};

class Server {
 public:
  Server(const core::Config& config, const Router& router, BlockingPool& db, BlockingPool& cpu,
         ServerHooks hooks);
  ~Server();

  // Binds, serves until SIGTERM/SIGINT or Stop(), drains, returns. Throws if it cannot bind.
  void Run();
  void Stop();
  // SIGTERM's first step: ready turns 503 (on_drain), keep-alive ends, and after DRAIN_SECONDS
  // Stop(). A second signal stops at once.
  void Drain();
  // The bound port (after Run started listening); useful when PORT=0.
  unsigned short Port() const { return port_.load(); }

  // The transport-free part: one request in, one response out. Public for tests.
  Task<Response> Handle(Request& req);

 private:
  struct SessionState;
  Task<void> Accept(tcp::acceptor& acceptor);
  Task<void> Serve(std::shared_ptr<SessionState> state);
  Task<void> ShutdownWatch();
  // Coroutine parameters are references: GCC 12 destroys a by-value coroutine argument with a
  // non-trivial destructor twice when the call sits in a co_await expression.
  Task<Response> Dispatch(Request& req, Router::Match& match);
  // Dispatch's steps, in order (see server.cpp).
  Response Preflight(const Request& req) const;
  Response NoRoute(const Request& req, const Router::Match& match) const;
  // Reads the bearer token (or ?access_token= where the route allows it), sets req.principal and
  // req.token; throws 401 without a valid token, 429 past the user's budget.
  Task<void> Authenticate(Request& req, const Route& route);
  static void RequireRole(const Request& req, const Route& route);
  // A streamed response (Response::stream): headers, then the stream, then the connection closes.
  Task<void> WriteStream(beast::tcp_stream& stream, Request& req, Response& res);
  void CloseIdleSessions();
  void Finish(const Request& req, Response& res) const;
  std::string AllowedOrigin(std::string_view origin) const;

  const core::Config& config_;
  const Router& router_;
  BlockingPool& db_;
  BlockingPool& cpu_;
  ServerHooks hooks_;
  asio::io_context ioc_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  std::atomic<unsigned short> port_{0};
  std::atomic<size_t> active_sessions_{0};
  std::mutex sessions_mu_;
  std::map<uint64_t, std::weak_ptr<SessionState>> sessions_;  // by id: oldest first
  std::unordered_map<std::string, int> per_ip_;               // open connections per client address
  uint64_t next_session_id_ = 0;
  // At the global cap: closes the oldest connection waiting for a request, so that a new client
  // gets in. Returns false when every connection is busy. Needs sessions_mu_.
  bool EvictIdleLocked();
  std::unique_ptr<tcp::acceptor> acceptor_;
};

// Percent-decodes a path; nullopt on a malformed escape or a decoded NUL.
std::optional<std::string> DecodePath(std::string_view raw);
// Splits a query string into decoded pairs ('+' is a space).
std::multimap<std::string, std::string> ParseQuery(std::string_view raw);
// A client-supplied request id is kept if it is 1..128 chars of [A-Za-z0-9._-]; else a new one.
std::string SaneRequestId(std::string_view given);

}  // namespace stepwise::http
