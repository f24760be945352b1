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
             services::EventBus& bus = app.events;
             r.stream = [&bus, caller, last](http::StreamSink& sink) mutable -> Task<void> {
               const bool admin = caller.role == "admin";
               asio::steady_timer timer(co_await asio::this_coro::executor);
               // Tells the client how long to wait before reconnecting.
               const std::string hello = "retry: 2000\n\n";
               if (!co_await sink.Write(hello)) co_return;
               auto quiet_since = std::chrono::steady_clock::now();
               while (!sink.Stopping()) {
                 auto events = bus.Since(caller.company_id, admin, last);
                 if (!events.empty()) {
                   std::string out;
                   for (const auto& e : events) out += Frame(e);
                   last = events.back().id;
                   if (!co_await sink.Write(out)) co_return;
                   quiet_since = std::chrono::steady_clock::now();
                 } else if (std::chrono::steady_clock::now() - quiet_since > kHeartbeat) {
                   const std::string ping = ": ping\n\n";
                   if (!co_await sink.Write(ping)) co_return;
                   quiet_since = std::chrono::steady_clock::now();
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
