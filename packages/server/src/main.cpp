// stepwise: the API server and its operations in one binary.
//   stepwise serve     HTTP API (and, later, in-process job workers)
//   stepwise migrate   apply database migrations and exit
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <thread>

#include <CLI/CLI.hpp>

#include "api/app.hpp"
#include "core/config.hpp"
#include "core/crypto.hpp"
#include "core/log.hpp"
#include "core/rate_limit.hpp"
#include "core/secrets.hpp"
#include "http/server.hpp"
#include "services/accounts.hpp"
#include "services/images.hpp"
#include "services/screenshots.hpp"
#include "services/workflows.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/db/database.hpp"
#include "storage/db/migrate.hpp"
#include "storage/redis/redis.hpp"
#include "storage/redis/redis_rate_limiter.hpp"

namespace {

using namespace stepwise;

std::string JwtSecret(const core::Config& config) {
  if (!config.jwt_secret.empty()) {
    if (config.jwt_secret.size() < 32)
      throw std::invalid_argument("JWT_SECRET must be at least 32 characters");
    return config.jwt_secret;
  }
  return core::LoadOrCreateSecret((std::filesystem::path(config.data_dir) / "jwt_secret").string());
}

// WEB_DIR, or the web folder the build lays out beside the binary.
std::string WebDir(const core::Config& config) {
  if (!config.web_dir.empty()) return config.web_dir;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      if (std::filesystem::exists(dir / "web" / "openapi.json")) return (dir / "web").string();
      if (dir.filename() == "build") break;
    }
  }
  return "./build/web";
}

int RunMigrate(const core::Config& config) {
  storage::Database db(storage::DatabaseUrl::Parse(config.database_url), 1);
  const auto applied = storage::Migrate(db);
  core::LogInfo("migrations applied",
                {{"applied", applied},
                 {"database", db.GetDialect() == storage::Dialect::kSqlite ? "sqlite" : "postgresql"}});
  return 0;
}

int RunServe(core::Config config) {
  config.web_dir = WebDir(config);
  const std::string secret = JwtSecret(config);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t cpu_threads = config.cpu_pool_size > 0 ? static_cast<size_t>(config.cpu_pool_size) : cores;
  const size_t db_threads = static_cast<size_t>(config.db_pool_size);

  // Every pool thread that may touch the database gets its own connection.
  storage::Database db(storage::DatabaseUrl::Parse(config.database_url), db_threads + cpu_threads);
  const auto applied = storage::Migrate(db);
  if (!applied.empty()) core::LogInfo("migrations applied", {{"applied", applied}});

  http::BlockingPool db_pool(db_threads, static_cast<size_t>(config.blocking_queue_limit), "db");
  http::BlockingPool cpu_pool(cpu_threads, static_cast<size_t>(config.cpu_queue_limit), "cpu");
  // Rate-limit counters: in this process, or in Redis so that every process shares them.
  std::unique_ptr<storage::Redis> redis;
  std::unique_ptr<core::RateLimiter> limiter;
  if (!config.redis_url.empty()) {
    redis = std::make_unique<storage::Redis>(config.redis_url);
    if (!redis->Ping())
      core::LogWarn("redis is not reachable yet",
                    {{"redis_url_host", storage::RedisUrl::Parse(config.redis_url).host}});
    limiter = std::make_unique<storage::RedisRateLimiter>(*redis);
  } else {
    limiter = std::make_unique<core::MemoryRateLimiter>();
  }
  core::VersionCounters versions;
  api::ResponseCache responses(static_cast<size_t>(config.response_cache_mb) * 1024 * 1024,
                               config.response_cache_ms);
  services::AccountService accounts(db, config, secret, *limiter, &versions);
  // Local blob URLs are signed with a key derived from the JWT secret (never the secret itself).
  const std::string blob_key = core::HmacSha256Hex(secret, "stepwise blob urls v1");
  auto blobs = storage::OpenBlobStore(config.storage_url, config.data_dir, blob_key);
  services::WorkflowService workflows(db, *blobs, &versions);
  services::ScreenshotService screenshots(db, *blobs, &versions);
  api::App app{config,      db,       accounts, workflows,
               screenshots, *blobs,   blob_key, api::Contract::Embedded(),
               versions,    responses};
  http::Router router;
  api::RegisterRoutes(router, app);

  http::ServerHooks hooks;
  hooks.authenticate = [&accounts](std::string_view token) {
    const auto caller = accounts.Authenticate(token);
    return http::Principal{caller.user_id, caller.company_id, caller.role};
  };
  hooks.limit_user = [&accounts](const http::Principal& p) {
    return accounts.UserBudget({p.user_id, p.company_id, p.role});
  };
  hooks.authenticate_cached = [&accounts](std::string_view token) -> std::optional<http::Principal> {
    const auto caller = accounts.CachedCaller(token);
    if (!caller) return std::nullopt;
    return http::Principal{caller->user_id, caller->company_id, caller->role};
  };
  hooks.limit_user_is_local = redis == nullptr;
  http::Server server(config, router, db_pool, cpu_pool, std::move(hooks));
  core::LogInfo("listening",
                {{"url", "http://" + config.host + ":" + std::to_string(config.port)},
                 {"docs", config.public_url + "/api/docs"},
                 {"database", db.GetDialect() == storage::Dialect::kSqlite ? "sqlite" : "postgresql"}});
  // Screenshots never attached to a workflow go after 24 hours. (The job queue's scheduler takes
  // this over; until then a thread per process, harmless when several run it.)
  std::jthread cleanup([&screenshots](std::stop_token stop) {
    std::mutex mu;
    std::condition_variable_any cv;
    for (;;) {
      std::unique_lock lock(mu);
      if (cv.wait_for(lock, stop, std::chrono::minutes(10), [] { return false; })) break;
      if (stop.stop_requested()) break;
      try {
        const int removed = screenshots.RemoveOrphans(24LL * 3600 * 1000);
        if (removed > 0) core::LogInfo("removed unattached screenshots", {{"count", removed}});
      } catch (const std::exception& e) {
        core::LogWarn("screenshot cleanup failed", {{"error", e.what()}});
      }
    }
  });
  server.Run();
  cleanup.request_stop();
  db_pool.Join();
  cpu_pool.Join();
  core::LogInfo("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Stepwise: record a task once, guide everyone through it"};
  cli.require_subcommand(1);
  auto* serve = cli.add_subcommand("serve", "Run the HTTP API server");
  auto* migrate = cli.add_subcommand("migrate", "Apply database migrations and exit");
  CLI11_PARSE(cli, argc, argv);
  try {
    const auto config = core::Config::Load();
    core::InitLogging(config.log_level);
    // libvips starts on the first image (services/images.cpp): a server that never sees one
    // keeps its footprint small.
    int rc = 0;
    if (serve->parsed()) rc = RunServe(config);
    if (migrate->parsed()) rc = RunMigrate(config);
    core::FlushLogs();
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "stepwise: " << e.what() << std::endl;
    core::LogError("fatal", {{"error", e.what()}});
    core::FlushLogs();
    return 1;
  }
}
