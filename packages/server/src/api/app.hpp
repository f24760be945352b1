#pragma once
// Wiring of the API layer: the services the handlers call, and the routes.
#include "api/contract.hpp"
#include "core/config.hpp"
#include "http/router.hpp"
#include "services/accounts.hpp"
#include "storage/db/database.hpp"

namespace stepwise::api {

struct App {
  const core::Config& config;
  storage::Database& db;
  services::AccountService& accounts;
  const Contract& contract;
};

void RegisterRoutes(http::Router& router, App& app);

// One registration function per resource file.
void RegisterSystemRoutes(http::Router& router, App& app);
void RegisterAuthRoutes(http::Router& router, App& app);
void RegisterCompanyRoutes(http::Router& router, App& app);
void RegisterUserRoutes(http::Router& router, App& app);
void RegisterWebRoutes(http::Router& router, App& app);

// The caller as the services know it.
services::Caller CallerOf(const http::Context& ctx);

}  // namespace stepwise::api
