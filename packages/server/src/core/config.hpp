#pragma once
// Settings from the environment, with `.env` in the working directory as a fallback. Every setting
// and its default is listed in .env.example at the repository root.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stepwise::core {

struct Config {
  std::string host = "0.0.0.0";
  int port = 8000;
  std::string database_url = "sqlite:///./app.db";
  std::string data_dir = "./data";
  std::string storage_url;  // empty: file://<data_dir>/blobs
  std::string redis_url;
  std::string jwt_secret;  // empty: generated once into <data_dir>/jwt_secret
  std::string web_dir;     // empty: build/web beside the binary (build/stepwise → build/web)
  // The built Chrome extension that GET /api/extension.zip packs. Empty: packages/extension/dist
  // of the tree the binary was built in.
  std::string extension_dir;
  // Where people reach this server: absolute links (signed screenshot URLs, exports,
  // notifications) start with it, never with a request's Host header. Empty: http://localhost:<PORT>.
  std::string public_url;
  std::vector<std::string> cors_origins = {"http://localhost:8000", "http://localhost:5173"};
  bool cors_allow_extensions = true;
  // Extension ids whose chrome-extension:// origin may call the API; the default is the id the
  // extension's manifest key gives every install (store, zip and unpacked).
  std::vector<std::string> extension_ids = {"mjbjapkbokledfpmbiomgedmlngbdmbh"};
  bool trust_proxy = false;
  std::string log_level = "info";
  bool access_log = true;

  int io_threads = 0;    // 0: one per core
  int db_pool_size = 8;  // database connections = threads of the blocking pool
  int blocking_queue_limit = 256;
  int cpu_pool_size = 0;  // bcrypt and other CPU-heavy work; 0: one per core
  int cpu_queue_limit = 64;
  int image_decode_budget_mp = 100;  // megapixels of screenshots decoded at once (≥ 50)
  int64_t max_json_body_bytes = 5 * 1024 * 1024;
  int max_header_bytes = 16 * 1024;
  int read_timeout_seconds = 30;
  int idle_timeout_seconds = 60;
  int shutdown_grace_seconds = 10;
  // On SIGTERM, /api/ready answers 503 and requests are still served this long (so that a load
  // balancer's health check takes the node out first); then the listener closes, in-flight
  // requests finish (SHUTDOWN_GRACE_SECONDS) and the process exits. 0: stop at once.
  int drain_seconds = 0;
  // GET /metrics (Prometheus text) answers only with `Authorization: Bearer <this>`; empty: off.
  std::string metrics_token;
  int max_connections = 10000;
  // Open connections per client address (the socket's peer: a proxy's address behind one, so
  // the default with TRUST_PROXY is off). 0: no cap.
  int max_connections_per_ip = 64;
  // A new connection must send its first request within this (the keep-alive idle timeout
  // applies between requests after that).
  int first_request_timeout_seconds = 10;

  int bcrypt_cost = 12;
  int jwt_ttl_seconds = 7 * 24 * 3600;
  int rate_limit_auth_per_min = 10;
  int rate_limit_user_per_min = 100;
  // In-process caches of hot reads. A change made in this process is seen at once; one made by
  // another process (a second server, a worker) within this many milliseconds. 0 turns one off.
  int auth_cache_ms = 1000;      // token → user, role and company
  int response_cache_ms = 1000;  // workflow list and detail answers
  int response_cache_mb = 32;

  // Jobs: the embedded queue (the database) or Redis Streams (JOB_QUEUE=redis, or auto with
  // REDIS_URL set). `serve` runs WORKER_CONCURRENCY workers in process (0: none).
  std::string job_queue = "auto";
  std::string redis_prefix = "stepwise";
  int worker_concurrency = 8;     // above AI_MAX_IN_FLIGHT, so the AI limit is what bounds labeling
  int job_visibility_ms = 30000;  // a job's lease, renewed while it runs
  int job_retry_base_ms = 1000;
  int labeling_deadline_ms = 600000;
  int labeling_watchdog_ms = 60000;  // how often the watchdog looks

  // AI: auto uses the vendors whose keys are set (Anthropic, then OpenAI), then the local labeler.
  std::string ai_provider = "auto";  // auto, anthropic, openai, local
  std::string anthropic_api_key;
  std::string anthropic_base_url = "https://api.anthropic.com";
  std::string anthropic_model = "claude-sonnet-4-5";
  std::string openai_api_key;
  std::string openai_base_url = "https://api.openai.com/v1";
  std::string openai_model = "gpt-4.1-mini";
  int ai_max_in_flight = 5;  // across all processes when Redis is set
  int ai_attempts = 3;
  int ai_connect_timeout_ms = 5000;
  int ai_timeout_ms = 30000;
  int ai_backoff_base_ms = 500;
  int ai_heal_timeout_ms = 10000;  // a walkthrough waits for it: short, then the score alone decides
  int health_log_retention_days = 180;
  std::string dashboard_url;  // empty: public_url
  // Webhooks may reach loopback and private addresses (an intranet install). Off: public only.
  bool webhook_allow_private = false;
  // Scheduled checks (docs/checker.md). The checker: a command line run with /bin/sh (empty: node
  // on packages/checker/dist/main.js of the tree the binary was built in).
  std::string checker_command;
  int checks_concurrency = 2;         // pages at once in the checker, and check jobs at once
  int check_timeout_ms = 120000;      // one check, all its steps
  int checker_max_heap_mb = 512;      // per page
  bool checks_allow_private = false;  // checks may visit loopback and private addresses
  // "id:base64(32 bytes),…": the first encrypts saved sessions and replay values, every one
  // decrypts (rotation). Empty: one key derived from the server secret, id k0.
  std::string check_session_keys;
  // The length of a check interval's minute in ms: 60000, shorter only in tests.
  int check_minute_ms = 60000;

  // Reads the environment; values in `env_file` (KEY=VALUE lines) fill in what the environment
  // does not set. Throws std::invalid_argument naming the variable on a malformed value.
  static Config Load(const std::string& env_file = ".env");
  // The same from an explicit map (tests).
  static Config FromMap(const std::map<std::string, std::string>& vars);
};

// KEY=VALUE lines; `#` comments, optional `export `, single or double quotes around the value.
std::map<std::string, std::string> ParseEnvFile(const std::string& text);

}  // namespace stepwise::core
