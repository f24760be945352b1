// /api/users: the team (admins).
#include "api/app.hpp"
#include "api/views.hpp"
#include "http/blocking_pool.hpp"

namespace stepwise::api {

using http::Access;
using http::Context;
using http::Response;
using http::Task;
using nlohmann::json;

void RegisterUserRoutes(http::Router& router, App& app) {
  router.Add("GET", "/api/users", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const json q = app.contract.Query("listUsers", ctx.req);
    const auto caller = CallerOf(ctx);
    const int limit = q.value("limit", 50);
    const int offset = q.value("offset", 0);
    auto page = co_await ctx.db.Run([&] { return app.accounts.ListUsers(caller, limit, offset); });
    json data = json::array();
    for (const auto& u : page.users) data.push_back(UserJson(u));
    co_return Response::Data(data, 200, {{"total", page.total}, {"limit", limit}, {"offset", offset}});
  });

  router.Add("PATCH", "/api/users/{id}", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const json body = app.contract.Body("updateUser", ctx.req);
    const auto caller = CallerOf(ctx);
    std::optional<std::string> role;
    std::optional<std::string> name;
    if (body.contains("role")) role = body["role"].get<std::string>();
    if (body.contains("name")) name = body["name"].get<std::string>();
    auto user = co_await ctx.db.Run([&] { return app.accounts.UpdateUser(caller, id, role, name); });
    // Open event streams (in every process) re-check their caller at once.
    if (role) app.events.Publish(caller.company_id, kAccessChanged, json{{"user_id", id}});
    co_return Response::Data(UserJson(user));
  });

  router.Add("DELETE", "/api/users/{id}", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const auto caller = CallerOf(ctx);
    co_await ctx.db.Run([&] { app.accounts.DeleteUser(caller, id); });
    app.events.Publish(caller.company_id, kAccessChanged, json{{"user_id", id}});
    co_return Response::NoContent();
  });
}

}  // namespace stepwise::api
