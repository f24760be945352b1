#include "core/config.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/text.hpp"

extern char** environ;  // NOLINT

namespace stepwise::core {
namespace {

int64_t ToInt(const std::string& key, const std::string& value, int64_t min, int64_t max) {
  int64_t out = 0;
  const auto* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, out);
  if (ec != std::errc() || ptr != end || out < min || out > max) {
    throw std::invalid_argument(key + " must be an integer between " + std::to_string(min) + " and " +
                                std::to_string(max) + ", got '" + value + "'");
  }
  return out;
}

bool ToBool(const std::string& key, const std::string& value) {
  if (value == "1" || value == "true" || value == "yes" || value == "on") return true;
  if (value == "0" || value == "false" || value == "no" || value == "off") return false;
  throw std::invalid_argument(key + " must be true or false, got '" + value + "'");
}

std::vector<std::string> ToList(const std::string& value) {
  std::vector<std::string> out;
  std::stringstream ss(value);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = Trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> ParseEnvFile(const std::string& text) {
  std::map<std::string, std::string> vars;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = Trim(line.substr(7));
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string key = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (const auto hash = value.find(" #"); hash != std::string::npos) {
      value = Trim(value.substr(0, hash));
    }
    vars[key] = value;
  }
  return vars;
}

Config Config::Load(const std::string& env_file) {
  std::map<std::string, std::string> vars;
  if (std::ifstream in(env_file); in) {
    std::stringstream buf;
    buf << in.rdbuf();
    vars = ParseEnvFile(buf.str());
  }
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return FromMap(vars);
}

Config Config::FromMap(const std::map<std::string, std::string>& vars) {
  Config c;
  auto get = [&](const char* key, auto&& apply) {
    if (auto it = vars.find(key); it != vars.end() && !it->second.empty())
      apply(std::string(key), it->second);
  };
  auto str = [](std::string& field) {
    return [&field](const std::string&, const std::string& v) { field = v; };
  };
  auto num = [](auto& field, int64_t min, int64_t max) {
    return [&field, min, max](const std::string& k, const std::string& v) {
      field = static_cast<std::remove_reference_t<decltype(field)>>(ToInt(k, v, min, max));
    };
  };
  auto flag = [](bool& field) {
    return [&field](const std::string& k, const std::string& v) { field = ToBool(k, v); };
  };

  get("HOST", str(c.host));
  get("PORT", num(c.port, 0, 65535));
  get("DATABASE_URL", str(c.database_url));
  get("DATA_DIR", str(c.data_dir));
  get("STORAGE_URL", str(c.storage_url));
  get("REDIS_URL", str(c.redis_url));
  get("JWT_SECRET", str(c.jwt_secret));
  get("WEB_DIR", str(c.web_dir));
  get("EXTENSION_DIR", str(c.extension_dir));
  get("PUBLIC_URL", str(c.public_url));
  get("DASHBOARD_URL", str(c.dashboard_url));
  get("CORS_ORIGINS", [&](const std::string&, const std::string& v) { c.cors_origins = ToList(v); });
  get("CORS_ALLOW_EXTENSIONS", flag(c.cors_allow_extensions));
  get("EXTENSION_IDS", [&](const std::string& k, const std::string& v) {
    c.extension_ids = ToList(v);
    for (const auto& id : c.extension_ids) {
      if (id.size() != 32 || id.find_first_not_of("abcdefghijklmnop") != std::string::npos)
        throw std::invalid_argument(k + ": " + id + " is not an extension id (32 letters a-p)");
    }
  });
  get("TRUST_PROXY", flag(c.trust_proxy));
  if (c.trust_proxy) c.max_connections_per_ip = 0;
  get("LOG_LEVEL", str(c.log_level));
  get("ACCESS_LOG", flag(c.access_log));
  get("IO_THREADS", num(c.io_threads, 0, 256));
  get("DB_POOL_SIZE", num(c.db_pool_size, 1, 256));
  get("BLOCKING_QUEUE_LIMIT", num(c.blocking_queue_limit, 1, 100000));
  get("CPU_POOL_SIZE", num(c.cpu_pool_size, 0, 256));
  get("CPU_QUEUE_LIMIT", num(c.cpu_queue_limit, 1, 100000));
  get("IMAGE_DECODE_BUDGET_MP", num(c.image_decode_budget_mp, 50, 100000));
  get("MAX_JSON_BODY_BYTES", num(c.max_json_body_bytes, 1024, int64_t{1} << 30));
  get("MAX_HEADER_BYTES", num(c.max_header_bytes, 1024, 1 << 20));
  get("READ_TIMEOUT_SECONDS", num(c.read_timeout_seconds, 1, 3600));
  get("IDLE_TIMEOUT_SECONDS", num(c.idle_timeout_seconds, 1, 3600));
  get("SHUTDOWN_GRACE_SECONDS", num(c.shutdown_grace_seconds, 0, 3600));
  get("DRAIN_SECONDS", num(c.drain_seconds, 0, 600));
  get("METRICS_TOKEN", str(c.metrics_token));
  get("MAX_CONNECTIONS", num(c.max_connections, 1, 1000000));
  get("MAX_CONNECTIONS_PER_IP", num(c.max_connections_per_ip, 0, 1000000));
  get("FIRST_REQUEST_TIMEOUT_SECONDS", num(c.first_request_timeout_seconds, 1, 3600));
  get("BCRYPT_COST", num(c.bcrypt_cost, 4, 31));
  get("JWT_TTL_SECONDS", num(c.jwt_ttl_seconds, 60, 365 * 24 * 3600));
  get("RATE_LIMIT_AUTH_PER_MIN", num(c.rate_limit_auth_per_min, 0, 1000000));
  get("RATE_LIMIT_USER_PER_MIN", num(c.rate_limit_user_per_min, 0, 1000000));
  get("AUTH_CACHE_MS", num(c.auth_cache_ms, 0, 60000));
  get("RESPONSE_CACHE_MS", num(c.response_cache_ms, 0, 60000));
  get("RESPONSE_CACHE_MB", num(c.response_cache_mb, 0, 4096));
  get("JOB_QUEUE", str(c.job_queue));
  get("REDIS_PREFIX", str(c.redis_prefix));
  get("WORKER_CONCURRENCY", num(c.worker_concurrency, 0, 1024));
  get("JOB_VISIBILITY_MS", num(c.job_visibility_ms, 100, 86400000));
  get("JOB_RETRY_BASE_MS", num(c.job_retry_base_ms, 1, 3600000));
  get("LABELING_DEADLINE_MS", num(c.labeling_deadline_ms, 1000, 86400000));
  get("LABELING_WATCHDOG_MS", num(c.labeling_watchdog_ms, 200, 86400000));
  get("AI_PROVIDER", str(c.ai_provider));
  get("ANTHROPIC_API_KEY", str(c.anthropic_api_key));
  get("ANTHROPIC_BASE_URL", str(c.anthropic_base_url));
  get("ANTHROPIC_MODEL", str(c.anthropic_model));
  get("OPENAI_API_KEY", str(c.openai_api_key));
  get("OPENAI_BASE_URL", str(c.openai_base_url));
  get("OPENAI_MODEL", str(c.openai_model));
  get("AI_MAX_IN_FLIGHT", num(c.ai_max_in_flight, 1, 1000));
  get("AI_ATTEMPTS", num(c.ai_attempts, 1, 10));
  get("AI_CONNECT_TIMEOUT_MS", num(c.ai_connect_timeout_ms, 100, 600000));
  get("AI_TIMEOUT_MS", num(c.ai_timeout_ms, 100, 600000));
  get("AI_BACKOFF_BASE_MS", num(c.ai_backoff_base_ms, 1, 600000));
  get("AI_HEAL_TIMEOUT_MS", num(c.ai_heal_timeout_ms, 100, 600000));
  get("HEALTH_LOG_RETENTION_DAYS", num(c.health_log_retention_days, 1, 36500));
  get("WEBHOOK_ALLOW_PRIVATE", flag(c.webhook_allow_private));
  get("CHECKER_COMMAND", str(c.checker_command));
  get("CHECKS_CONCURRENCY", num(c.checks_concurrency, 1, 32));
  get("CHECK_TIMEOUT_MS", num(c.check_timeout_ms, 5000, 3600000));
  get("CHECKER_MAX_HEAP_MB", num(c.checker_max_heap_mb, 64, 16384));
  get("CHECKS_ALLOW_PRIVATE", flag(c.checks_allow_private));
  get("CHECK_SESSION_KEYS", str(c.check_session_keys));
  get("CHECK_MINUTE_MS", num(c.check_minute_ms, 10, 60000));
  if (c.job_queue != "auto" && c.job_queue != "embedded" && c.job_queue != "redis")
    throw std::invalid_argument("JOB_QUEUE must be auto, embedded or redis");
  if (c.ai_provider != "auto" && c.ai_provider != "anthropic" && c.ai_provider != "openai" &&
      c.ai_provider != "local")
    throw std::invalid_argument("AI_PROVIDER must be auto, anthropic, openai or local");
  if (c.public_url.empty()) c.public_url = "http://localhost:" + std::to_string(c.port);
  while (c.public_url.size() > 1 && c.public_url.back() == '/') c.public_url.pop_back();
  if (c.dashboard_url.empty()) c.dashboard_url = c.public_url;
  return c;
}

}  // namespace stepwise::core
