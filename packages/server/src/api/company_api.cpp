// /api/company: the caller's company (admins).
#include "api/app.hpp"
#include "api/views.hpp"
#include "http/blocking_pool.hpp"

namespace stepwise::api {

using http::Access;
using http::Context;
using http::Response;
using http::Task;
using nlohmann::json;

void RegisterCompanyRoutes(http::Router& router, App& app) {
  router.Add("GET", "/api/company", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const auto caller = CallerOf(ctx);
    auto view = co_await ctx.db.Run([&] { return app.accounts.GetCompany(caller); });
    auto [count, bytes] = co_await ctx.db.Run([&] { return app.screenshots.Usage(caller); });
    json data = CompanyJson(view);
    data["screenshot_count"] = count;
    data["screenshot_bytes"] = bytes;
    data["webhook_secret"] = app.webhooks.Secret(caller.company_id);
    co_return Response::Data(data);
  });

  router.Add("PATCH", "/api/company", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const json body = app.contract.Body("updateCompany", ctx.req);
    const auto caller = CallerOf(ctx);
    std::optional<std::string> name;
    std::optional<json> settings;
    if (body.contains("name")) name = body["name"].get<std::string>();
    if (body.contains("settings")) settings = body["settings"];
    auto view = co_await ctx.db.Run([&] { return app.accounts.UpdateCompany(caller, name, settings); });
    auto [count, bytes] = co_await ctx.db.Run([&] { return app.screenshots.Usage(caller); });
    json data = CompanyJson(view);
    data["screenshot_count"] = count;
    data["screenshot_bytes"] = bytes;
    data["webhook_secret"] = app.webhooks.Secret(caller.company_id);
    co_return Response::Data(data);
  });

  router.Add("POST", "/api/company/invite-token/rotate", Access::kAdmin,
             [&app](Context& ctx) -> Task<Response> {
               const auto caller = CallerOf(ctx);
               auto token = co_await ctx.db.Run([&] { return app.accounts.RotateInviteToken(caller); });
               co_return Response::Data({{"invite_token", token}});
             });
}

}  // namespace stepwise::api
