#include "storage/redis/redis.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <stdexcept>

namespace stepwise::storage {

RedisUrl RedisUrl::Parse(const std::string& url) {
  RedisUrl out;
  std::string rest;
  if (url.rfind("redis://", 0) == 0) {
    rest = url.substr(8);
  } else {
    throw std::invalid_argument("REDIS_URL must start with redis://");
  }
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    std::string auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = auth.find(':');
    out.password = colon == std::string::npos ? auth : auth.substr(colon + 1);
  }
  std::string hostport = rest;
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    hostport = rest.substr(0, slash);
    const std::string db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), out.db);
      if (ec != std::errc() || p != db.data() + db.size() || out.db < 0) {
        throw std::invalid_argument("REDIS_URL: bad database number");
      }
    }
  }
  if (const auto colon = hostport.rfind(':'); colon != std::string::npos) {
    const std::string port = hostport.substr(colon + 1);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || p != port.data() + port.size() || out.port < 1 || out.port > 65535) {
      throw std::invalid_argument("REDIS_URL: bad port");
    }
    hostport = hostport.substr(0, colon);
  }
  if (!hostport.empty()) out.host = hostport;
  return out;
}

RedisReply::~RedisReply() {
  if (reply_ != nullptr) freeReplyObject(reply_);
}

struct Redis::Conn {
  redisContext* ctx = nullptr;
  ~Conn() {
    if (ctx != nullptr) redisFree(ctx);
  }
};

Redis::Redis(const std::string& url, int timeout_ms) : url_(RedisUrl::Parse(url)), timeout_ms_(timeout_ms) {}
Redis::~Redis() = default;

std::unique_ptr<Redis::Conn> Redis::Take() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  timeval tv{timeout_ms_ / 1000, (timeout_ms_ % 1000) * 1000};
  auto conn = std::make_unique<Conn>();
  conn->ctx = redisConnectWithTimeout(url_.host.c_str(), url_.port, tv);
  if (conn->ctx == nullptr || conn->ctx->err != 0) {
    throw std::runtime_error("redis: cannot connect to " + url_.host + ":" + std::to_string(url_.port) +
                             (conn->ctx != nullptr ? std::string(": ") + conn->ctx->errstr : ""));
  }
  redisSetTimeout(conn->ctx, tv);
  auto check = [&](redisReply* r, const char* what) {
    RedisReply reply(r);
    if (r == nullptr || r->type == REDIS_REPLY_ERROR)
      throw std::runtime_error(std::string("redis: ") + what + " failed");
  };
  if (!url_.password.empty()) {
    check(static_cast<redisReply*>(redisCommand(conn->ctx, "AUTH %s", url_.password.c_str())), "AUTH");
  }
  if (url_.db != 0) check(static_cast<redisReply*>(redisCommand(conn->ctx, "SELECT %d", url_.db)), "SELECT");
  return conn;
}

void Redis::Give(std::unique_ptr<Conn> conn) {
  std::lock_guard lock(mu_);
  if (idle_.size() < 32) idle_.push_back(std::move(conn));
}

RedisReply Redis::Command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto conn = Take();
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(conn->ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (raw == nullptr) {
    // The connection is broken (conn->ctx->err says why): drop it, do not return it to the pool.
    // The idle ones most likely broke with it (Redis restarted): drop them too, so that the next
    // calls connect afresh instead of each failing once.
    {
      std::lock_guard lock(mu_);
      idle_.clear();
    }
    throw std::runtime_error(std::string("redis: ") +
                             (conn->ctx->errstr[0] != '\0' ? conn->ctx->errstr : "I/O error"));
  }
  RedisReply reply(raw);
  Give(std::move(conn));
  if (raw->type == REDIS_REPLY_ERROR) throw std::runtime_error("redis: " + std::string(raw->str, raw->len));
  return reply;
}

bool Redis::Ping() {
  try {
    auto r = Command({"PING"});
    return r->type == REDIS_REPLY_STATUS;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace stepwise::storage
