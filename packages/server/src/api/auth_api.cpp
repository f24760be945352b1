// /api/auth: sign up, log in, who am I, invite lookup.
#include "api/app.hpp"
#include "api/views.hpp"
#include "core/time.hpp"
#include "http/blocking_pool.hpp"

namespace stepwise::api {

using http::Access;
using http::Context;
using http::Response;
using http::Task;
using nlohmann::json;

namespace {

// Throws RATE_LIMITED, or waits when the email is being guessed from many places.
Task<void> AuthBudget(Context& ctx, App& app, const char* action, const std::string& email) {
  const int delay_ms =
      co_await ctx.db.Run([&] { return app.accounts.CheckAuthBudget(action, ctx.req.client_ip, email); });
  if (delay_ms > 0) {
    http::asio::steady_timer timer(co_await http::asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(delay_ms));
    boost::system::error_code ec;
    co_await timer.async_wait(http::asio::redirect_error(http::asio::use_awaitable, ec));
  }
}

}  // namespace

void RegisterAuthRoutes(http::Router& router, App& app) {
  router.Add("POST", "/api/auth/signup", Access::kPublic, [&app](Context& ctx) -> Task<Response> {
    const json body = app.contract.Body("authSignup", ctx.req);
    const std::string email = body.at("email").get<std::string>();
    co_await AuthBudget(ctx, app, "signup", email);
    const std::string password = body.at("password").get<std::string>();
    const std::string name = body.at("name").get<std::string>();
    auto result = co_await ctx.cpu.Run([&] {
      if (body.contains("invite_token")) {
        return app.accounts.SignupWithInvite(email, password, name, body["invite_token"].get<std::string>());
      }
      return app.accounts.SignupCompany(email, password, name, body.at("company_name").get<std::string>());
    });
    co_return Response::Data(AuthJson(result), 201);
  });

  router.Add("POST", "/api/auth/login", Access::kPublic, [&app](Context& ctx) -> Task<Response> {
    const json body = app.contract.Body("authLogin", ctx.req);
    const std::string email = body.at("email").get<std::string>();
    const std::string password = body.at("password").get<std::string>();
    co_await AuthBudget(ctx, app, "login", email);
    auto result = co_await ctx.cpu.Run([&] { return app.accounts.Login(email, password); });
    co_return Response::Data(AuthJson(result));
  });

  router.Add("GET", "/api/auth/me", Access::kUser, [&app](Context& ctx) -> Task<Response> {
    const auto caller = CallerOf(ctx);
    auto [user, company] = co_await ctx.db.Run([&] { return app.accounts.Me(caller); });
    json data = UserJson(user);
    data["company"] = CompanyRefJson(company);
    co_return Response::Data(data);
  });

  router.Add("POST", "/api/auth/connect-codes", Access::kUser, [&app](Context& ctx) -> Task<Response> {
    const auto caller = CallerOf(ctx);
    auto code = co_await ctx.db.Run([&] { return app.accounts.CreateConnectCode(caller); });
    co_return Response::Data({{"code", code.code}, {"expires_at", core::FormatIsoMillis(code.expires_at)}},
                             201);
  });

  router.Add("POST", "/api/auth/connect", Access::kPublic, [&app](Context& ctx) -> Task<Response> {
    const json body = app.contract.Body("authConnect", ctx.req);
    co_await AuthBudget(ctx, app, "connect", "");
    auto result =
        co_await ctx.db.Run([&] { return app.accounts.Connect(body.at("code").get<std::string>()); });
    co_return Response::Data(AuthJson(result));
  });

  router.Add("GET", "/api/auth/invites/{token}", Access::kPublic, [&app](Context& ctx) -> Task<Response> {
    const std::string token = ctx.req.path_params.at("token");
    if (token.empty() || token.size() > 128 ||
        token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
            std::string::npos) {
      throw core::NotFound("INVALID_INVITE_TOKEN", "This invite link is not valid");
    }
    co_await AuthBudget(ctx, app, "invite", "");
    auto name = co_await ctx.db.Run([&] { return app.accounts.InviteCompanyName(token); });
    co_return Response::Data({{"company_name", name}});
  });
}

}  // namespace stepwise::api
