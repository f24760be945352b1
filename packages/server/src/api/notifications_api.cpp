// /api/notifications: the company's admin alerts.
#include <charconv>

#include "api/app.hpp"
#include "http/blocking_pool.hpp"

namespace stepwise::api {

using http::Access;
using http::Context;
using http::Response;
using http::Task;
using nlohmann::json;

void RegisterNotificationRoutes(http::Router& router, App& app) {
  router.Add("GET", "/api/notifications", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const json q = app.contract.Query("listNotifications", ctx.req);
    const auto caller = CallerOf(ctx);
    const bool unread = q.value("unread", false);
    const int limit = q.value("limit", 50);
    std::optional<int64_t> cursor;
    if (q.contains("cursor")) {
      // Digits by the contract, but maybe more than an int64 holds.
      const std::string text = q["cursor"].get<std::string>();
      int64_t value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size())
        throw core::ValidationError("/query/cursor", "must be a next_cursor this endpoint returned");
      cursor = value;
    }
    auto page = co_await ctx.db.Run([&] { return app.notifications.List(caller, unread, cursor, limit); });
    json items = json::array();
    for (const auto& n : page.items) items.push_back(services::NotificationJson(n));
    json meta = {{"next_cursor", page.next_cursor ? json(std::to_string(*page.next_cursor)) : json(nullptr)},
                 {"unread", page.unread}};
    co_return Response::Data(items, 200, meta);
  });

  router.Add("GET", "/api/notifications/unread-count", Access::kAdmin,
             [&app](Context& ctx) -> Task<Response> {
               const auto caller = CallerOf(ctx);
               const int64_t n = co_await ctx.db.Run([&] { return app.notifications.UnreadCount(caller); });
               co_return Response::Data({{"unread", n}});
             });

  router.Add("POST", "/api/notifications/read-all", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const auto caller = CallerOf(ctx);
    const int64_t n = co_await ctx.db.Run([&] { return app.notifications.MarkAllRead(caller); });
    co_return Response::Data({{"marked", n}});
  });

  router.Add("POST", "/api/notifications/{id}/read", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const auto caller = CallerOf(ctx);
    auto n = co_await ctx.db.Run([&] { return app.notifications.MarkRead(caller, id); });
    co_return Response::Data(services::NotificationJson(n));
  });
}

}  // namespace stepwise::api
