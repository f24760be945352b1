#include "http/server.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <limits>
#include <random>
#include <thread>
#include <tuple>

#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/text.hpp"
#include "http/errors.hpp"

namespace stepwise::http {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Server::SessionState {
  SessionState(tcp::socket socket, asio::any_io_executor exec)
      : stream(std::move(socket)), executor(std::move(exec)) {}
  beast::tcp_stream stream;
  asio::any_io_executor executor;  // the session's strand
  std::atomic<bool> busy{false};
  uint64_t id = 0;
  std::string ip;  // the socket's peer address
};

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view raw, bool plus_is_space) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return std::nullopt;
      const int hi = HexValue(raw[i + 1]);
      const int lo = HexValue(raw[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      const char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return std::nullopt;
      out.push_back(decoded);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i) {
    id[static_cast<size_t>(i)] = kHex[v & 0xF];
    v >>= 4;
  }
  return id;
}

bool IsConnectionEnd(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::eof || ec == asio::error::broken_pipe || ec == asio::error::bad_descriptor ||
         ec == bhttp::error::partial_message;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> DecodePath(std::string_view raw) { return PercentDecode(raw, false); }

std::multimap<std::string, std::string> ParseQuery(std::string_view raw) {
  std::multimap<std::string, std::string> out;
  size_t i = 0;
  while (i <= raw.size()) {
    const size_t amp = raw.find('&', i);
    const std::string_view pair =
        raw.substr(i, amp == std::string_view::npos ? std::string_view::npos : amp - i);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      auto key = PercentDecode(pair.substr(0, eq), true);
      auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                                : PercentDecode(pair.substr(eq + 1), true);
      // A malformed escape keeps the raw text, which then fails validation with a clear message.
      out.emplace(key ? *key : std::string(pair.substr(0, eq)),
                  value ? *value : std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    i = amp + 1;
  }
  return out;
}

std::string SaneRequestId(std::string_view given) {
  if (given.empty() || given.size() > 128) return NewRequestId();
  for (char c : given) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return NewRequestId();
  }
  return std::string(given);
}

Server::Server(const core::Config& config, const Router& router, BlockingPool& db, BlockingPool& cpu,
               ServerHooks hooks)
    : config_(config), router_(router), db_(db), cpu_(cpu), hooks_(std::move(hooks)) {}

Server::~Server() = default;

void Server::Run() {
  const tcp::endpoint endpoint(asio::ip::make_address(config_.host),
                               static_cast<unsigned short>(config_.port));
  acceptor_ = std::make_unique<tcp::acceptor>(ioc_);
  acceptor_->open(endpoint.protocol());
  acceptor_->set_option(asio::socket_base::reuse_address(true));
  acceptor_->bind(endpoint);
  acceptor_->listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_->local_endpoint().port();

  asio::co_spawn(ioc_, Accept(*acceptor_), asio::detached);
  asio::signal_set signals(ioc_, SIGINT, SIGTERM);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [this, &signals, &on_signal](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        if (signal == SIGTERM && config_.drain_seconds > 0 && !draining_.load()) {
          core::LogInfo("draining", {{"signal", signal}, {"drain_seconds", config_.drain_seconds}});
          Drain();
          signals.async_wait(on_signal);  // a second signal stops at once
          return;
        }
        core::LogInfo("shutting down", {{"signal", signal}});
        Stop();
      };
  signals.async_wait(on_signal);

  size_t threads = config_.io_threads > 0 ? static_cast<size_t>(config_.io_threads)
                                          : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& t : pool) t.join();
}

void Server::Stop() {
  asio::post(ioc_, [this] {
    if (stopping_.exchange(true)) return;
    boost::system::error_code ec;
    if (acceptor_) acceptor_->close(ec);
    asio::co_spawn(ioc_, ShutdownWatch(), asio::detached);
  });
}

void Server::Drain() {
  if (draining_.exchange(true)) return;
  if (hooks_.on_drain) hooks_.on_drain();
  auto timer = std::make_shared<asio::steady_timer>(ioc_, std::chrono::seconds(config_.drain_seconds));
  timer->async_wait([this, timer](const boost::system::error_code& ec) {
    if (!ec) Stop();
  });
}

Task<void> Server::ShutdownWatch() {
  const auto deadline = Clock::now() + std::chrono::seconds(config_.shutdown_grace_seconds);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    CloseIdleSessions();
    if (active_sessions_.load() == 0) break;
    if (Clock::now() >= deadline) {
      core::LogWarn("shutdown grace period over; closing open connections",
                    {{"connections", active_sessions_.load()}});
      break;
    }
    timer.expires_after(20ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
  ioc_.stop();
}

void Server::CloseIdleSessions() {
  std::lock_guard lock(sessions_mu_);
  for (auto& [id, weak] : sessions_) {
    auto st = weak.lock();
    if (!st || st->busy.load()) continue;
    asio::post(st->executor, [st] {
      if (st->busy.load()) return;  // a request arrived meanwhile: it finishes, then the session ends
      boost::system::error_code ec;
      st->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      st->stream.socket().close(ec);
    });
  }
}

Task<void> Server::Accept(tcp::acceptor& acceptor) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors and the like: back off briefly instead of spinning.
      core::LogWarn("accept failed", {{"error", ec.message()}});
      asio::steady_timer t(co_await asio::this_coro::executor, 50ms);
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    std::string ip;
    if (auto remote = socket.remote_endpoint(ec); !ec) ip = remote.address().to_string();
    bool admit = true;
    {
      std::lock_guard lock(sessions_mu_);
      // One client may not hold every connection: past its cap its new connections are closed,
      // and other clients still get in.
      if (config_.max_connections_per_ip > 0 && per_ip_[ip] >= config_.max_connections_per_ip) admit = false;
      if (admit && active_sessions_.load() >= static_cast<size_t>(config_.max_connections))
        admit = EvictIdleLocked();
      if (admit) ++per_ip_[ip];
      if (per_ip_[ip] == 0) per_ip_.erase(ip);
    }
    if (!admit) {
      socket.close(ec);
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto strand = asio::make_strand(ioc_);
    auto state = std::make_shared<SessionState>(std::move(socket), strand);
    state->ip = std::move(ip);
    {
      std::lock_guard lock(sessions_mu_);
      state->id = ++next_session_id_;
      sessions_[state->id] = state;
    }
    active_sessions_.fetch_add(1);
    asio::co_spawn(strand, Serve(state), asio::detached);
  }
}

bool Server::EvictIdleLocked() {
  for (auto& [id, weak] : sessions_) {
    auto st = weak.lock();
    if (!st || st->busy.load()) continue;
    sessions_.erase(id);  // not picked twice; Leave's erase finds nothing
    asio::post(st->executor, [st] {
      if (st->busy.load()) return;
      boost::system::error_code ec;
      st->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      st->stream.socket().close(ec);
    });
    return true;
  }
  return false;
}

Task<void> Server::Serve(std::shared_ptr<SessionState> st) {
  struct Leave {
    Server& s;
    const SessionState& st;
    ~Leave() {
      {
        std::lock_guard lock(s.sessions_mu_);
        s.sessions_.erase(st.id);
        if (auto it = s.per_ip_.find(st.ip); it != s.per_ip_.end() && --it->second <= 0) s.per_ip_.erase(it);
      }
      s.active_sessions_.fetch_sub(1);
    }
  } leave{*this, *st};

  const std::string client_ip = st->ip;
  beast::flat_buffer buffer;
  bool first = true;
  auto& stream = st->stream;

  // Writes a response and reports whether the connection may serve another request.
  auto write = [&](Request& req, Response& res, bool keep_alive, Clock::time_point start) -> Task<bool> {
    bhttp::response<bhttp::string_body> msg{static_cast<bhttp::status>(res.status), 11};
    if (!res.content_type.empty()) msg.set(bhttp::field::content_type, res.content_type);
    for (const auto& [k, v] : res.headers) msg.insert(k, v);
    msg.body() = std::move(res.body);
    msg.keep_alive(keep_alive);
    msg.prepare_payload();
    stream.expires_after(std::chrono::seconds(config_.read_timeout_seconds));
    boost::system::error_code ec;
    co_await bhttp::async_write(stream, msg, asio::redirect_error(asio::use_awaitable, ec));
    {
      static auto& requests = core::metrics::Default().Counters(
          "stepwise_http_requests_total", "HTTP requests answered, by route and status.",
          {"method", "route", "status"});
      static auto& latency = core::metrics::Default().Histograms(
          "stepwise_http_request_duration_seconds",
          "Time from reading a request to its answer written, in seconds.", {"method", "route"});
      const std::string route = req.route.empty() ? std::string("(unmatched)") : req.route;
      requests.With({req.method, route, std::to_string(res.status)}).Inc();
      latency.With({req.method, route}).Observe(std::chrono::duration<double>(Clock::now() - start).count());
    }
    if (config_.access_log && core::LogEnabled(core::LogLevel::kInfo)) {
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      core::LogInfo("request", {{"request_id", req.request_id},
                                {"method", req.method},
                                {"route", req.route.empty() ? std::string("(unmatched)") : req.route},
                                {"status", res.status},
                                {"duration_ms", std::round(ms * 1000) / 1000},
                                {"client_ip", req.client_ip}});
    }
    co_return !ec && keep_alive;
  };

  // Answers an unreadable request with an error and ends the connection.
  auto reject = [&](Request& req, core::ErrorKind kind, const char* code, const char* message,
                    Clock::time_point start) -> Task<void> {
    if (req.request_id.empty()) req.request_id = NewRequestId();
    Response res = ErrorResponse(kind, code, message);
    Finish(req, res);
    co_await write(req, res, false, start);
  };

  for (;;) {
    if (stopping_) break;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config_.max_header_bytes));
    // The route decides the body limit once the header is in; until then a declared length is
    // not refused by the parser, so the client gets a clear 413 rather than a parse error.
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    st->busy = false;
    // A new connection gets a short deadline for its first request: an idle flood of them
    // does not hold connections for the whole keep-alive timeout.
    stream.expires_after(
        std::chrono::seconds(first ? config_.first_request_timeout_seconds : config_.idle_timeout_seconds));
    first = false;
    boost::system::error_code ec;
    co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    st->busy = true;
    const auto start = Clock::now();
    Request req;
    req.client_ip = client_ip;
    if (ec) {
      if (ec == bhttp::error::header_limit) {
        co_await reject(req, core::ErrorKind::kHeadersTooLarge, "HEADERS_TOO_LARGE",
                        "The request headers are too large", start);
      } else if (!IsConnectionEnd(ec)) {
        co_await reject(req, core::ErrorKind::kBadRequest, "BAD_REQUEST", "The request is not valid HTTP/1.1",
                        start);
      }
      break;
    }

    auto& head = parser.get();
    req.method = std::string(head.method_string());
    req.target = std::string(head.target());
    for (const auto& f : head) req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    req.request_id = SaneRequestId(req.Header("X-Request-Id"));
    if (config_.trust_proxy) {
      if (auto xff = req.Header("X-Forwarded-For"); !xff.empty()) {
        auto first = xff.substr(0, xff.find(','));
        while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
        while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
        if (!first.empty()) req.client_ip = std::string(first);
      }
    }
    const auto qpos = req.target.find('?');
    auto path = DecodePath(std::string_view(req.target).substr(0, qpos));
    if (!path || path->empty() || path->front() != '/') {
      co_await reject(req, core::ErrorKind::kBadRequest, "BAD_REQUEST", "The request path is not valid",
                      start);
      break;
    }
    req.path = std::move(*path);
    if (qpos != std::string::npos) req.query = ParseQuery(std::string_view(req.target).substr(qpos + 1));

    auto match = router_.Find(req.method, req.path);
    const int64_t limit = match.route != nullptr && match.route->body_limit > 0 ? match.route->body_limit
                                                                                : config_.max_json_body_bytes;
    if (parser.content_length() && *parser.content_length() > static_cast<uint64_t>(limit)) {
      co_await reject(req, core::ErrorKind::kTooLarge, "PAYLOAD_TOO_LARGE",
                      ("The request body is larger than " + std::to_string(limit) + " bytes").c_str(), start);
      break;
    }
    parser.body_limit(static_cast<std::uint64_t>(limit));
    if (!parser.is_done()) {
      if (IEquals(req.Header("Expect"), "100-continue")) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, 11};
        co_await bhttp::async_write(stream, cont, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) break;
      }
      stream.expires_after(std::chrono::seconds(config_.read_timeout_seconds));
      co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::body_limit) {
        co_await reject(req, core::ErrorKind::kTooLarge, "PAYLOAD_TOO_LARGE",
                        ("The request body is larger than " + std::to_string(limit) + " bytes").c_str(),
                        start);
        break;
      }
      if (ec) {
        if (!IsConnectionEnd(ec)) {
          co_await reject(req, core::ErrorKind::kBadRequest, "BAD_REQUEST",
                          "The request body could not be read", start);
        }
        break;
      }
    }
    const bool keep_alive = parser.get().keep_alive();
    req.body = std::move(parser.get().body());

    Response res;
    try {
      res = co_await Dispatch(req, match);
    } catch (const std::exception& e) {  // Dispatch handles everything; this is a last guard
      core::LogError("unhandled error", {{"request_id", req.request_id}, {"error", e.what()}});
      res = ErrorResponse(core::ErrorKind::kInternal, "INTERNAL_ERROR", "An unexpected error occurred");
      Finish(req, res);
    }
    if (res.stream) {
      co_await WriteStream(stream, req, res);
      break;
    }
    // While draining, each answer closes its connection: the client's next request opens a new
    // one, which the balancer sends to another node.
    if (!co_await write(req, res, keep_alive && !stopping_ && !draining_, start)) break;
  }
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

namespace {

class TcpSink : public StreamSink {
 public:
  TcpSink(beast::tcp_stream& stream, const std::atomic<bool>& stopping)
      : stream_(stream), stopping_(stopping) {}
  Task<bool> Write(const std::string& data) override {
    stream_.expires_after(std::chrono::seconds(30));
    boost::system::error_code ec;
    co_await asio::async_write(stream_, asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }
  bool Stopping() const override { return stopping_.load(); }

 private:
  beast::tcp_stream& stream_;
  const std::atomic<bool>& stopping_;
};

}  // namespace

Task<void> Server::WriteStream(beast::tcp_stream& stream, Request& req, Response& res) {
  bhttp::response<bhttp::empty_body> msg{static_cast<bhttp::status>(res.status), 11};
  if (!res.content_type.empty()) msg.set(bhttp::field::content_type, res.content_type);
  for (const auto& [k, v] : res.headers) msg.insert(k, v);
  msg.keep_alive(false);
  bhttp::response_serializer<bhttp::empty_body> sr{msg};
  stream.expires_after(std::chrono::seconds(30));
  boost::system::error_code ec;
  co_await bhttp::async_write_header(stream, sr, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  if (config_.access_log && core::LogEnabled(core::LogLevel::kInfo)) {
    core::LogInfo("stream opened",
                  {{"request_id", req.request_id}, {"route", req.route}, {"client_ip", req.client_ip}});
  }
  TcpSink sink(stream, stopping_);
  static auto& streams = core::metrics::Default().Gauges("stepwise_sse_clients", "Open event streams (SSE).");
  auto& open = streams.With({});
  open.Add(1);
  try {
    co_await res.stream(sink);
  } catch (const std::exception& e) {
    core::LogWarn("stream ended by an error", {{"request_id", req.request_id}, {"error", e.what()}});
  }
  open.Add(-1);
}

Task<Response> Server::Handle(Request& req) {
  if (req.request_id.empty()) req.request_id = NewRequestId();
  auto match = router_.Find(req.method, req.path);
  co_return co_await Dispatch(req, match);
}

// A request passes these steps in order; each answers it or hands it on:
//   Preflight (OPTIONS, CORS) → NoRoute (404/405) → Authenticate (401, 429) → RequireRole (403)
//   → the route's handler. Errors thrown anywhere become the JSON error envelope, and Finish adds
//   the headers every answer carries.
Task<Response> Server::Dispatch(Request& req, Router::Match& match) {
  Response res;
  try {
    if (req.method == "OPTIONS") {
      res = Preflight(req);
    } else if (match.route == nullptr) {
      res = NoRoute(req, match);
    } else {
      const Route& route = *match.route;
      req.route = route.pattern;
      req.path_params = std::move(match.params);
      if (route.access != Access::kPublic) {
        co_await Authenticate(req, route);
        RequireRole(req, route);
      }
      Context ctx{req, db_, cpu_};
      res = co_await route.handler(ctx);
    }
  } catch (const core::Error& e) {
    res = ErrorResponse(e);
  } catch (const std::exception& e) {
    core::LogError("unhandled error",
                   {{"request_id", req.request_id}, {"route", req.route}, {"error", e.what()}});
    res = ErrorResponse(core::ErrorKind::kInternal, "INTERNAL_ERROR", "An unexpected error occurred");
  }
  Finish(req, res);
  co_return res;
}

Response Server::Preflight(const Request& req) const {
  Response res = Response::NoContent();
  if (!AllowedOrigin(req.Header("Origin")).empty()) {
    res.With("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
        .With("Access-Control-Allow-Headers",
              "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id, Last-Event-ID")
        .With("Access-Control-Max-Age", "600");
  }
  return res;
}

Response Server::NoRoute(const Request& req, const Router::Match& match) const {
  if (match.allowed.empty()) {
    return ErrorResponse(core::ErrorKind::kNotFound, "NOT_FOUND", "No such endpoint: " + req.path);
  }
  std::string allow;
  for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
  Response res = ErrorResponse(core::ErrorKind::kMethodNotAllowed, "METHOD_NOT_ALLOWED",
                               req.method + " is not allowed here; allowed: " + allow);
  res.With("Allow", allow);
  return res;
}

Task<void> Server::Authenticate(Request& req, const Route& route) {
  std::string_view auth = req.Header("Authorization");
  std::string token;
  if (auth.size() >= 8 && IEquals(auth.substr(0, 7), "Bearer ")) {
    token = std::string(auth.substr(7));
  } else if (auto q = req.query.find("access_token"); route.token_in_query && q != req.query.end()) {
    token = q->second;
  }
  if (token.empty()) throw core::Unauthorized("A bearer token is required");
  // The in-process cache answers most requests without a hop to the pool; the per-user budget
  // rides along (in Redis it may block, so then both run on the pool).
  std::optional<Principal> cached;
  if (hooks_.authenticate_cached && (hooks_.limit_user_is_local || !hooks_.limit_user)) {
    cached = hooks_.authenticate_cached(token);
  }
  Principal principal;
  int wait = 0;
  if (cached) {
    principal = *cached;
    wait = hooks_.limit_user ? hooks_.limit_user(principal) : 0;
  } else {
    // Closures in a co_await expression capture by reference only (see Dispatch's declaration).
    auto check = [this, &token] {
      Principal p = hooks_.authenticate(token);
      const int w = hooks_.limit_user ? hooks_.limit_user(p) : 0;
      return std::make_pair(p, w);
    };
    std::tie(principal, wait) = co_await db_.Run(check);
  }
  if (wait > 0) {
    throw core::Error(core::ErrorKind::kRateLimited, "RATE_LIMITED", "Too many requests; slow down")
        .WithRetryAfter(wait);
  }
  req.principal = principal;
  req.token = std::move(token);
}

void Server::RequireRole(const Request& req, const Route& route) {
  if (route.access == Access::kAdmin && !req.principal->IsAdmin())
    throw core::Forbidden("This needs an admin");
}

std::string Server::AllowedOrigin(std::string_view origin) const {
  if (origin.empty()) return {};
  if (config_.cors_allow_extensions && origin.rfind("chrome-extension://", 0) == 0) {
    const auto id = origin.substr(19);
    for (const auto& allowed : config_.extension_ids) {
      if (id == allowed) return std::string(origin);
    }
    return {};
  }
  for (const auto& o : config_.cors_origins) {
    if (o == origin) return o;
  }
  return {};
}

void Server::Finish(const Request& req, Response& res) const {
  res.With("X-Request-Id", req.request_id);
  res.With("X-Content-Type-Options", "nosniff");
  bool has_cache = false;
  for (const auto& [k, v] : res.headers) has_cache = has_cache || IEquals(k, "Cache-Control");
  if (!has_cache) res.With("Cache-Control", "no-store");
  if (const auto origin = AllowedOrigin(req.Header("Origin")); !origin.empty()) {
    res.With("Access-Control-Allow-Origin", origin);
    res.With("Access-Control-Expose-Headers", "X-Request-Id, ETag, Retry-After, Location");
    res.With("Vary", "Origin");
  }
  if (config_.trust_proxy && core::AsciiLower(req.Header("X-Forwarded-Proto")) == "https") {
    res.With("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  }
}

}  // namespace stepwise::http
