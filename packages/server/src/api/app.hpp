#pragma once
// Wiring of the API layer: the services the handlers call, and the routes.
#include "api/contract.hpp"
#include "api/response_cache.hpp"
#include "core/config.hpp"
#include "core/versions.hpp"
#include "http/blocking_pool.hpp"
#include "http/router.hpp"
#include "services/accounts.hpp"
#include "services/checks.hpp"
#include "services/events.hpp"
#include "services/extension_package.hpp"
#include "services/healing.hpp"
#include "services/health.hpp"
#include "services/idempotency.hpp"
#include "services/labeling.hpp"
#include "services/notifications.hpp"
#include "services/screenshots.hpp"
#include "services/system.hpp"
#include "services/webhooks.hpp"
#include "services/workflows.hpp"

namespace stepwise::api {

struct App {
  const core::Config& config;
  services::SystemService& system;
  services::AccountService& accounts;
  services::WorkflowService& workflows;
  services::ScreenshotService& screenshots;  // also the signed blob URLs
  const Contract& contract;
  core::VersionCounters& versions;  // per company, bumped by the services' writes
  ResponseCache& responses;         // hot reads, checked against `versions`
  services::LabelingService& labeling;
  services::NotificationService& notifications;
  services::EventBus& events;
  services::HealthService& health;
  services::HealService& healing;
  services::WebhookService& webhooks;
  // Requests that wait on an AI vendor (auto-heal): their own threads, so that the database pool
  // keeps serving everyone else meanwhile.
  http::BlockingPool& ai_pool;
  services::ExtensionPackage& extension;  // GET /api/extension.zip
  services::CheckService& checks;
  services::IdempotencyService& idempotency;
};

void RegisterRoutes(http::Router& router, App& app);

// One registration function per resource file.
void RegisterSystemRoutes(http::Router& router, App& app);
void RegisterAuthRoutes(http::Router& router, App& app);
void RegisterCompanyRoutes(http::Router& router, App& app);
void RegisterUserRoutes(http::Router& router, App& app);
void RegisterWebRoutes(http::Router& router, App& app);
void RegisterExportRoutes(http::Router& router, App& app);
void RegisterWorkflowRoutes(http::Router& router, App& app);
void RegisterScreenshotRoutes(http::Router& router, App& app);
void RegisterNotificationRoutes(http::Router& router, App& app);
void RegisterEventRoutes(http::Router& router, App& app);
void RegisterHealthRoutes(http::Router& router, App& app);
void RegisterCheckRoutes(http::Router& router, App& app);

// A URL the client can fetch: paths on this server ("/api/blobs/…") become absolute with
// PUBLIC_URL (never the request's Host header).
std::string AbsoluteUrl(const App& app, const http::Request& req, const std::string& url);

// A blob the browser can load without the Authorization header: a signed URL, valid this long.
constexpr int kBlobUrlTtlSeconds = 900;
std::string BlobUrl(const App& app, const http::Request& req, const std::string& key, int64_t now);

// What creating a workflow answers (createWorkflow, importWorkflow): {workflow_id, status}.
nlohmann::json CreatedJson(const storage::WorkflowRecord& w);
// With an Idempotency-Key: the answer stored under it in the creating transaction (201).
services::WorkflowService::AlsoInTransaction IdempotentAnswer(
    App& app, const services::Caller& caller, const std::optional<services::IdempotentRequest>& idem);

// The caller as the services know it.
services::Caller CallerOf(const http::Context& ctx);

// An event on the bus (never sent to clients): a user's role changed or the user was removed;
// open event streams of that company re-check their caller.
inline constexpr const char* kAccessChanged = "access_changed";

}  // namespace stepwise::api
