// /api/events: the company's live events as server-sent events.
#include <chrono>

#include "api/app.hpp"

namespace stepwise::api {

using http::Access;
using http::Context;
using http::Response;
using http::Task;
namespace asio = http::asio;

namespace {

constexpr auto kPoll = std::chrono::milliseconds(200);
constexpr auto kHeartbeat = std::chrono::seconds(15);
// How often an open stream re-checks its caller when no change of access was announced.
constexpr auto kRecheck = std::chrono::seconds(5);

std::string Frame(const services::Event& e) {
  return "id: " + e.id + "\nevent: " + e.type + "\ndata: " + e.data + "\n\n";
}

}  // namespace

void RegisterEventRoutes(http::Router& router, App& app) {
  router
      .Add("GET", "/api/events", Access::kUser,
           [&app](Context& ctx) -> Task<Response> {
             const auto q = app.contract.Query("streamEvents", ctx.req);
             const auto caller = CallerOf(ctx);
             std::string last(ctx.req.Header("Last-Event-ID"));
             if (q.contains("last_event_id")) last = q["last_event_id"].get<std::string>();
             const bool sane = !last.empty() && last.size() <= 32 &&
                               last.find_first_not_of("0123456789-") == std::string::npos;
             if (!sane) last = app.events.Head();
             Response r;
             r.content_type = "text/event-stream";
             r.With("Cache-Control", "no-store").With("X-Accel-Buffering", "no");
             r.stream = [&app, &pool = ctx.db, caller, token = ctx.req.token,
                         last](http::StreamSink& sink) mutable -> Task<void> {
               const bool admin = caller.role == "admin";
               asio::steady_timer timer(co_await asio::this_coro::executor);
               // Tells the client how long to wait before reconnecting.
               const std::string hello = "retry: 2000\n\n";
               if (!co_await sink.Write(hello)) co_return;
               auto quiet_since = std::chrono::steady_clock::now();
               auto next_check = quiet_since + kRecheck;
               while (!sink.Stopping()) {
                 auto events = app.events.Since(caller.company_id, admin, last);
                 bool recheck = std::chrono::steady_clock::now() >= next_check;
                 std::string out;
                 for (const auto& e : events) {
                   last = e.id;
                   // Events after a change of access are read again with the caller re-checked.
                   if (e.type == kAccessChanged) {
                     recheck = true;
                     break;
                   }
                   out += Frame(e);
                 }
                 if (!out.empty()) {
                   if (!co_await sink.Write(out)) co_return;
                   quiet_since = std::chrono::steady_clock::now();
                 } else if (std::chrono::steady_clock::now() - quiet_since > kHeartbeat) {
                   const std::string ping = ": ping\n\n";
                   if (!co_await sink.Write(ping)) co_return;
                   quiet_since = std::chrono::steady_clock::now();
                 }
                 if (recheck) {
                   // The stream was opened for this user, company and role: a removed user, a
                   // revoked token or a changed role ends it (a client reconnects as who it is now).
                   bool same = false;
                   try {
                     const auto now = co_await pool.Run([&] { return app.accounts.Authenticate(token); });
                     same = now.user_id == caller.user_id && now.company_id == caller.company_id &&
                            now.role == caller.role;
                   } catch (const core::Error& e) {
                     // A busy pool is not a verdict on the caller: try again shortly.
                     same = e.Kind() == core::ErrorKind::kUnavailable;
                   }
                   if (!same) co_return;
                   next_check = std::chrono::steady_clock::now() + kRecheck;
                 }
                 timer.expires_after(kPoll);
                 boost::system::error_code ec;
                 co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
               }
             };
             co_return r;
           })
      .token_in_query = true;
}

}  // namespace stepwise::api
