// stepwise: the API server and its operations in one binary.
//   stepwise serve     HTTP API (and, later, in-process job workers)
//   stepwise migrate   apply database migrations and exit
#include <filesystem>
#include <iostream>
#include <mutex>
#include <stop_token>
#include <thread>

#include <malloc.h>

#include <csignal>

#include <CLI/CLI.hpp>

#include "ai/chain.hpp"
#include "ai/slots.hpp"
#include "ai/vendors.hpp"
#include "api/app.hpp"
#include "api/views.hpp"
#include "core/config.hpp"
#include "core/crypto.hpp"
#include "core/json_writer.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/rate_limit.hpp"
#include "core/sealed_box.hpp"
#include "core/secrets.hpp"
#include "core/time.hpp"
#include "http/server.hpp"
#include "jobs/queue.hpp"
#include "jobs/worker.hpp"
#include "services/accounts.hpp"
#include "services/checker.hpp"
#include "services/checks.hpp"
#include "services/events.hpp"
#include "services/extension_package.hpp"
#include "services/healing.hpp"
#include "services/health.hpp"
#include "services/images.hpp"
#include "services/labeling.hpp"
#include "services/notifications.hpp"
#include "services/screenshots.hpp"
#include "services/system.hpp"
#include "services/webhooks.hpp"
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

// CHECKER_COMMAND, or node on packages/checker/dist/main.js of the tree the binary was built in;
// empty when neither is there (checks then end with an error saying so).
std::string CheckerCommand(const core::Config& config) {
  if (!config.checker_command.empty()) return config.checker_command;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      const auto main_js = dir / "packages" / "checker" / "dist" / "main.js";
      if (std::filesystem::exists(main_js)) return "node " + main_js.string();
    }
  }
  return "";
}

// A workflow as the checker reads it: its steps as getWorkflow shows them, without screenshots.
nlohmann::json CheckerWorkflowJson(const services::WorkflowDetail& d) {
  core::JsonWriter out(4096 + d.steps.size() * 2048);
  out.BeginObject();
  out.Key("id").Int(d.workflow.id);
  out.Key("name").String(d.workflow.name);
  out.Key("starting_url").String(d.workflow.starting_url);
  out.Key("steps").BeginArray();
  static const std::vector<storage::VariantRecord> kNone;
  for (const auto& s : d.steps) {
    const auto v = d.variants.find(s.id);
    api::WriteStep(out, s, nullptr, nullptr, v == d.variants.end() ? kNone : v->second,
                   d.workflow.created_by);
  }
  out.EndArray();
  out.EndObject();
  return nlohmann::json::parse(out.Take());
}

// Everything but the HTTP server: database, Redis, blobs, queue, AI, services, tasks. Shared by
// `serve` and `worker`.
struct Core {
  explicit Core(core::Config& cfg, size_t extra_connections)
      : config(cfg),
        secret(JwtSecret(cfg)),
        db(storage::DatabaseUrl::Parse(cfg.database_url),
           extra_connections + static_cast<size_t>(cfg.worker_concurrency) + 4) {
    const auto applied = storage::Migrate(db);
    if (!applied.empty()) core::LogInfo("migrations applied", {{"applied", applied}});
    if (!config.redis_url.empty()) {
      redis = std::make_unique<storage::Redis>(config.redis_url, 2000);
      if (!redis->Ping())
        core::LogWarn("redis is not reachable yet",
                      {{"redis_url_host", storage::RedisUrl::Parse(config.redis_url).host}});
    }
    const bool use_redis_queue =
        config.job_queue == "redis" || (config.job_queue == "auto" && redis != nullptr);
    if (use_redis_queue && redis == nullptr) throw std::invalid_argument("JOB_QUEUE=redis needs REDIS_URL");
    queue =
        use_redis_queue ? jobs::MakeRedisQueue(db, *redis, config.redis_prefix) : jobs::MakeEmbeddedQueue(db);
    // Local blob URLs are signed with a key derived from the JWT secret (never the secret itself).
    blob_key = core::HmacSha256Hex(secret, "stepwise blob urls v1");
    blobs = storage::OpenBlobStore(config.storage_url, config.data_dir, blob_key);
    services::SetDecodeBudget(config.image_decode_budget_mp);

    std::vector<std::unique_ptr<ai::Provider>> vendors;
    const bool any = config.ai_provider == "auto";
    const auto vendor = [&](const std::string& key, const std::string& base, const std::string& model) {
      return ai::VendorConfig{key, base, model, config.ai_connect_timeout_ms, config.ai_timeout_ms};
    };
    if ((any || config.ai_provider == "anthropic") && !config.anthropic_api_key.empty())
      vendors.push_back(ai::MakeAnthropic(
          vendor(config.anthropic_api_key, config.anthropic_base_url, config.anthropic_model)));
    if ((any || config.ai_provider == "openai") && !config.openai_api_key.empty())
      vendors.push_back(
          ai::MakeOpenAI(vendor(config.openai_api_key, config.openai_base_url, config.openai_model)));
    if (config.ai_provider != "local" && config.ai_provider != "auto" && vendors.empty())
      throw std::invalid_argument("AI_PROVIDER=" + config.ai_provider + " needs its API key");
    std::vector<std::string> names;
    for (const auto& v : vendors) names.push_back(v->Name());
    names.emplace_back("local");
    slots = redis != nullptr
                ? ai::MakeRedisSlots(*redis, config.redis_prefix + ":ai:slots", config.ai_max_in_flight,
                                     int64_t{config.ai_timeout_ms} + 10000)
                : ai::MakeLocalSlots(config.ai_max_in_flight);
    chain = std::make_unique<ai::LabelChain>(
        std::move(vendors), *slots,
        ai::ChainOptions{config.ai_attempts, config.ai_backoff_base_ms, 20000, 600000});
    events = std::make_unique<services::EventBus>(redis.get(), config.redis_prefix);
    notifications =
        std::make_unique<services::NotificationService>(db, *events, config.dashboard_url, queue.get());
    webhooks = std::make_unique<services::WebhookService>(
        db, core::HmacSha256Hex(secret, "stepwise webhooks v1"), config.webhook_allow_private);
    registry.Add(services::WebhookService::kDeliver, [this](const jobs::Job& job) {
      webhooks->Deliver(job.payload.at("company_id").get<int64_t>(), job.payload.at("notification"));
    });
    labeling = std::make_unique<services::LabelingService>(
        db, *blobs, *queue, *chain, *events, *notifications, &versions,
        services::LabelingOptions{config.labeling_deadline_ms, config.labeling_watchdog_ms});
    screenshots = std::make_unique<services::ScreenshotService>(db, *blobs, &versions, blob_key);
    services::HealthOptions health_options;
    health_options.retention_days = config.health_log_retention_days;
    health =
        std::make_unique<services::HealthService>(db, *notifications, *events, &versions, health_options);
    services::HealOptions heal_options;
    heal_options.ai_timeout_ms = config.ai_heal_timeout_ms;
    healing = std::make_unique<services::HealService>(db, *blobs, *chain, *notifications, *events, &versions,
                                                      heal_options);
    labeling->Register(registry);
    keys = std::make_unique<core::KeyRing>(core::KeyRing::Parse(config.check_session_keys, secret));
    if (const auto command = CheckerCommand(config); !command.empty()) {
      checker = std::make_unique<services::CheckerProcess>(
          services::CheckerOptions{command,
                                   {{"CHECKS_CONCURRENCY", std::to_string(config.checks_concurrency)},
                                    {"CHECKER_MAX_HEAP_MB", std::to_string(config.checker_max_heap_mb)}},
                                   60000});
    }
    check_workflows = std::make_unique<services::WorkflowService>(db, *blobs, &versions);
    services::CheckOptions check_options;
    check_options.concurrency = config.checks_concurrency;
    check_options.timeout_ms = config.check_timeout_ms;
    check_options.allow_private = config.checks_allow_private;
    check_options.minute_ms = config.check_minute_ms;
    checks = std::make_unique<services::CheckService>(db, *blobs, *queue, *check_workflows, *healing,
                                                      *notifications, &versions, *keys, checker.get(),
                                                      CheckerWorkflowJson, check_options);
    registry.Add(services::CheckService::kRun, [this](const jobs::Job& job) {
      checks->Execute(job.payload.at("run_id").get<int64_t>(), job.attempt >= job.max_attempts);
    });
    registry.Add(services::IdempotencyService::kExpire, [this](const jobs::Job&) {
      const auto removed = services::IdempotencyService(db).Expire();
      if (removed > 0) core::LogInfo("removed old idempotency keys", {{"count", removed}});
    });
    registry.Add(services::CheckService::kSchedule, [this](const jobs::Job&) { checks->Schedule(); });
    registry.Add(services::CheckService::kRetention, [this](const jobs::Job&) {
      const int removed = checks->Retention();
      if (removed > 0) core::LogInfo("removed old check runs", {{"count", removed}});
    });
    registry.Add(services::HealthService::kRetention, [this](const jobs::Job&) {
      const auto removed = health->Retention();
      if (removed > 0) core::LogInfo("removed old health logs", {{"count", removed}});
    });
    registry.Add("screenshot_cleanup", [this](const jobs::Job&) {
      const int removed = screenshots->RemoveOrphans(24LL * 3600 * 1000);
      if (removed > 0) core::LogInfo("removed unattached screenshots", {{"count", removed}});
    });
    periodic = labeling->Periodic();
    periodic.push_back({"screenshot_cleanup", 10 * 60 * 1000});
    periodic.push_back({services::HealthService::kRetention, 6 * 3600 * 1000});
    periodic.push_back({services::CheckService::kSchedule,
                        std::clamp<int64_t>(int64_t{config.check_minute_ms} * 5, 1000, 10000)});
    periodic.push_back({services::CheckService::kRetention, 3600 * 1000});
    periodic.push_back({services::IdempotencyService::kExpire, 3600 * 1000});
    core::LogInfo("jobs and ai",
                  {{"queue", queue->Name()}, {"ai", names}, {"ai_max_in_flight", config.ai_max_in_flight}});
  }

  // Workers, the scheduler, and (with Redis) the outbox relay.
  void StartBackground(int concurrency) {
    workers = std::make_unique<jobs::WorkerPool>(
        *queue, registry,
        jobs::WorkerOptions{concurrency, config.job_visibility_ms, config.job_retry_base_ms, 60000});
    workers->Start();
    scheduler = std::make_unique<jobs::Scheduler>(db, registry, periodic);
    scheduler->Start();
    // Once at start, off the start-up path: what a crash left in the local blob store.
    sweeper = std::jthread([this] {
      try {
        const auto [temporaries, unreferenced] = screenshots->SweepStore(3600 * 1000);
        if (temporaries + unreferenced > 0)
          core::LogInfo("swept the blob store",
                        {{"temporary_files", temporaries}, {"unreferenced_screenshots", unreferenced}});
      } catch (const std::exception& e) {
        core::LogWarn("blob store sweep failed", {{"error", e.what()}});
      }
    });
    relay = std::jthread([this](const std::stop_token& stop) {
      do {
        queue->Flush();  // hands over what waited for Redis, wakes local workers
      } while (core::SleepUnlessStopped(stop, std::chrono::seconds(1)));
    });
  }

  void StopBackground() {
    // Workers waiting inside the AI chain (for a slot, or between retries) stop waiting: their
    // jobs go back to the queue.
    if (chain) chain->Stop();
    if (relay.joinable()) {
      relay.request_stop();
      relay.join();
    }
    if (scheduler) scheduler->Stop();
    // Checks in flight end now (their jobs come back to the queue); the checker is not restarted.
    if (checker) checker->Stop();
    if (workers) workers->Stop();
    if (sweeper.joinable()) sweeper.join();
  }

  core::Config& config;
  std::string secret;
  storage::Database db;
  std::unique_ptr<storage::Redis> redis;
  std::unique_ptr<jobs::Queue> queue;
  std::string blob_key;
  std::unique_ptr<storage::BlobStore> blobs;
  core::VersionCounters versions;
  std::unique_ptr<ai::Slots> slots;
  std::unique_ptr<ai::LabelChain> chain;
  std::unique_ptr<services::EventBus> events;
  std::unique_ptr<services::NotificationService> notifications;
  std::unique_ptr<services::WebhookService> webhooks;
  std::unique_ptr<services::LabelingService> labeling;
  std::unique_ptr<services::ScreenshotService> screenshots;
  std::unique_ptr<services::HealthService> health;
  std::unique_ptr<services::HealService> healing;
  std::unique_ptr<core::KeyRing> keys;
  std::unique_ptr<services::CheckerProcess> checker;
  std::unique_ptr<services::WorkflowService> check_workflows;
  std::unique_ptr<services::CheckService> checks;
  jobs::Registry registry;
  std::vector<jobs::PeriodicTask> periodic;
  std::unique_ptr<jobs::WorkerPool> workers;
  std::unique_ptr<jobs::Scheduler> scheduler;
  std::jthread relay;
  std::jthread sweeper;
};

// EXTENSION_DIR, or packages/extension/dist of the tree the binary was built in.
std::string ExtensionDir(const core::Config& config) {
  if (!config.extension_dir.empty()) return config.extension_dir;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      const auto dist = dir / "packages" / "extension" / "dist";
      if (std::filesystem::exists(dist / "manifest.json")) return dist.string();
    }
  }
  return "./packages/extension/dist";
}

// What /metrics reads when scraped: the process, the database pool's size, the job queue.
void RegisterMetricCollectors(Core& c, size_t pool_size) {
  auto& registry = core::metrics::Default();
  registry.AddCollector(core::metrics::CollectProcess);
  const size_t total = pool_size + static_cast<size_t>(c.config.worker_concurrency) + 4;
  registry.AddCollector([total](core::metrics::Writer& w) {
    w.Header("stepwise_db_pool_connections", "Database connections in the pool.",
             core::metrics::Kind::kGauge);
    w.Sample("stepwise_db_pool_connections", {}, static_cast<double>(total));
  });
  registry.AddCollector([&c](core::metrics::Writer& w) {
    // Jobs waiting in the database: the embedded queue's ready and leased jobs, or (with Redis)
    // the outbox not yet handed over. Read at scrape time; a failed read leaves them out.
    try {
      const int64_t now = core::NowMillis();
      std::vector<std::tuple<std::string, int64_t, int64_t>> rows;
      c.db.Read([&](soci::session& sql) {
        std::string state;
        int64_t n = 0;
        int64_t oldest = 0;
        soci::indicator ind = soci::i_ok;
        soci::statement st =
            (sql.prepare << "SELECT state, COUNT(*), MIN(created_at) FROM jobs GROUP BY state",
             soci::into(state), soci::into(n), soci::into(oldest, ind));
        st.execute();
        while (st.fetch()) rows.emplace_back(state, n, ind == soci::i_ok ? oldest : now);
      });
      w.Header("stepwise_jobs_in_database", "Jobs in the database's job table, by state.",
               core::metrics::Kind::kGauge);
      for (const auto& [state, n, oldest] : rows)
        w.Sample("stepwise_jobs_in_database", {{"state", state}}, static_cast<double>(n));
      w.Header("stepwise_jobs_oldest_age_seconds",
               "Age of the oldest job in the database's job table, by state.", core::metrics::Kind::kGauge);
      for (const auto& [state, n, oldest] : rows)
        w.Sample("stepwise_jobs_oldest_age_seconds", {{"state", state}},
                 static_cast<double>(now - oldest) / 1000.0);
    } catch (const std::exception&) {
    }
  });
}

int RunServe(core::Config config) {
  config.web_dir = WebDir(config);
  config.extension_dir = ExtensionDir(config);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const size_t cpu_threads = config.cpu_pool_size > 0 ? static_cast<size_t>(config.cpu_pool_size) : cores;
  const size_t db_threads = static_cast<size_t>(config.db_pool_size);

  // Every pool thread that may touch the database gets its own connection.
  Core c(config, db_threads + cpu_threads + 8);
  http::BlockingPool db_pool(db_threads, static_cast<size_t>(config.blocking_queue_limit), "db");
  http::BlockingPool cpu_pool(cpu_threads, static_cast<size_t>(config.cpu_queue_limit), "cpu");
  http::BlockingPool ai_pool(32, 512, "ai");
  // Rate-limit counters: in this process, or in Redis so that every process shares them.
  std::unique_ptr<core::RateLimiter> limiter;
  if (c.redis != nullptr) {
    limiter = std::make_unique<storage::RedisRateLimiter>(*c.redis);
  } else {
    limiter = std::make_unique<core::MemoryRateLimiter>();
  }
  api::ResponseCache responses(static_cast<size_t>(config.response_cache_mb) * 1024 * 1024,
                               config.response_cache_ms);
  services::AccountService accounts(c.db, config, c.secret, *limiter, &c.versions);
  services::WorkflowService workflows(c.db, *c.blobs, &c.versions, c.labeling.get());
  services::SystemService system(c.db);
  services::ExtensionPackage extension(config.extension_dir, config.public_url);
  services::IdempotencyService idempotency(c.db);
  RegisterMetricCollectors(c, db_threads + cpu_threads + 8);
  api::App app{
      config,     system,      accounts,    workflows,        *c.screenshots, api::Contract::Embedded(),
      c.versions, responses,   *c.labeling, *c.notifications, *c.events,      *c.health,
      *c.healing, *c.webhooks, ai_pool,     extension,        *c.checks,      idempotency};
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
  hooks.limit_user_is_local = c.redis == nullptr;
  hooks.on_drain = [&system] { system.StartDraining(); };
  http::Server server(config, router, db_pool, cpu_pool, std::move(hooks));
  core::LogInfo("listening",
                {{"url", "http://" + config.host + ":" + std::to_string(config.port)},
                 {"docs", config.public_url + "/api/docs"},
                 {"database", c.db.GetDialect() == storage::Dialect::kSqlite ? "sqlite" : "postgresql"},
                 {"workers", config.worker_concurrency}});
  c.StartBackground(config.worker_concurrency);
  // Start-up (the API contract's schemas, migrations, routes) leaves freed memory behind: give it
  // back to the system, so that an idle server holds only what it uses.
  malloc_trim(0);
  server.Run();
  c.StopBackground();
  db_pool.Join();
  cpu_pool.Join();
  ai_pool.Join();
  core::LogInfo("stopped");
  return 0;
}

// `stepwise bench-queue`: no-op jobs through the configured queue (enqueued through the database
// like every job, in batches of 500), timed from the first claim to the last ack.
int RunBenchQueue(core::Config config, int jobs, int concurrency) {
  config.labeling_watchdog_ms = 86400000;
  Core c(config, 0);
  std::atomic<int64_t> done{0};
  c.registry.Add("noop", [&done](const jobs::Job&) { done.fetch_add(1); });
  const auto enqueue_start = std::chrono::steady_clock::now();
  for (int i = 0; i < jobs; i += 500) {
    c.db.Transaction([&](soci::session& sql) {
      for (int k = i; k < std::min(jobs, i + 500); ++k) c.queue->EnqueueIn(sql, "noop", {{"n", k}});
    });
  }
  c.queue->Flush();
  const double enqueue_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - enqueue_start).count();
  const auto start = std::chrono::steady_clock::now();
  c.StartBackground(concurrency);
  while (done.load() < jobs) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  c.StopBackground();
  std::cout << "scenario=queue-noop backend=" << c.queue->Name() << " jobs=" << jobs
            << " concurrency=" << concurrency << " enqueue_s=" << enqueue_s << " run_s=" << s
            << " jobs_per_s=" << static_cast<int64_t>(jobs / s) << std::endl;
  return 0;
}

// `stepwise bench-labeler`: the local labeler alone, in one thread.
int RunBenchLabeler(int steps) {
  using nlohmann::json;
  const std::vector<ai::StepFacts> samples = {
      {"click",
       {{"tag_name", "button"}, {"inner_text", "Save changes"}, {"role", "button"}},
       nullptr,
       {{"title", "Settings"}}},
      {"input_commit",
       {{"tag_name", "input"}, {"type", "text"}, {"label_text", "Vendor name"}},
       {{"input_value", "ABC Corp"}},
       {{"title", "New bill"}}},
      {"select_change",
       {{"tag_name", "select"}, {"label_text", "Currency"}},
       {{"input_value", "EUR"}},
       {{"title", "New bill"}}},
      {"input_commit",
       {{"tag_name", "input"}, {"type", "password"}, {"label_text", "Password"}},
       {{"value_masked", true}},
       {{"title", "Sign in"}}},
      {"navigate",
       {{"tag_name", "a"}},
       nullptr,
       {{"title", "Invoices"}, {"url", "https://app.example.com/invoices"}}},
  };
  size_t bytes = 0;
  for (int i = 0; i < 10000; ++i)
    bytes += ai::LocalLabel(samples[i % samples.size()]).instruction.size();  // warm-up
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) bytes += ai::LocalLabel(samples[i % samples.size()]).instruction.size();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "scenario=local-labeler steps=" << steps << " seconds=" << s
            << " steps_per_s=" << static_cast<int64_t>(steps / s) << " (checksum " << bytes << ")"
            << std::endl;
  return 0;
}

int RunWorker(core::Config config, int concurrency) {
  // SIGTERM / SIGINT end the process after running jobs finish.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  config.worker_concurrency = concurrency;  // sizes the database pool
  Core c(config, 0);
  c.StartBackground(concurrency);
  core::LogInfo("worker started", {{"concurrency", concurrency}, {"queue", c.queue->Name()}});
  int sig = 0;
  sigwait(&set, &sig);
  core::LogInfo("worker stopping", {{"signal", sig}});
  c.StopBackground();
  core::LogInfo("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Stepwise: record a task once, guide everyone through it"};
  cli.require_subcommand(1);
  auto* serve = cli.add_subcommand("serve", "Run the HTTP API server");
  auto* migrate = cli.add_subcommand("migrate", "Apply database migrations and exit");
  auto* worker = cli.add_subcommand("worker", "Run job workers only (labeling and periodic tasks)");
  int concurrency = 0;
  auto* bench_queue = cli.add_subcommand("bench-queue", "Benchmark: no-op jobs through the configured queue");
  int bench_jobs = 20000;
  int bench_concurrency = 8;
  bench_queue->add_option("--jobs", bench_jobs)->check(CLI::Range(1, 10000000));
  bench_queue->add_option("--concurrency", bench_concurrency)->check(CLI::Range(1, 1024));
  auto* bench_labeler = cli.add_subcommand("bench-labeler", "Benchmark: the local labeler alone");
  int bench_steps = 200000;
  bench_labeler->add_option("--steps", bench_steps)->check(CLI::Range(1, 100000000));
  worker->add_option("--concurrency", concurrency, "Jobs run at once (default: WORKER_CONCURRENCY)")
      ->check(CLI::Range(1, 1024));
  CLI11_PARSE(cli, argc, argv);
  try {
    const auto config = core::Config::Load();
    core::InitLogging(config.log_level);
    // libvips starts on the first image (services/images.cpp): a server that never sees one
    // keeps its footprint small.
    int rc = 0;
    if (serve->parsed()) rc = RunServe(config);
    if (migrate->parsed()) rc = RunMigrate(config);
    if (bench_queue->parsed()) rc = RunBenchQueue(config, bench_jobs, bench_concurrency);
    if (bench_labeler->parsed()) rc = RunBenchLabeler(bench_steps);
    if (worker->parsed())
      rc = RunWorker(config, concurrency > 0 ? concurrency : std::max(1, config.worker_concurrency));
    core::FlushLogs();
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "stepwise: " << e.what() << std::endl;
    core::LogError("fatal", {{"error", e.what()}});
    core::FlushLogs();
    return 1;
  }
}
