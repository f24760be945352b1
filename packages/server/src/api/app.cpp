#include "api/app.hpp"

namespace stepwise::api {

services::Caller CallerOf(const http::Context& ctx) {
  const auto& p = ctx.User();
  return {p.user_id, p.company_id, p.role};
}

void RegisterRoutes(http::Router& router, App& app) {
  RegisterSystemRoutes(router, app);
  RegisterAuthRoutes(router, app);
  RegisterCompanyRoutes(router, app);
  RegisterUserRoutes(router, app);
  RegisterWebRoutes(router, app);
}

}  // namespace stepwise::api
