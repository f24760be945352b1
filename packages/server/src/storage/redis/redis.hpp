#pragma once
// A small pool of synchronous hiredis connections (REDIS_URL=redis://[:password@]host:port[/db]).
// Calls block: run them on a pool thread. A broken connection is dropped and re-opened on the
// next call.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct redisContext;
struct redisReply;

namespace stepwise::storage {

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  int db = 0;
  std::string password;
  static RedisUrl Parse(const std::string& url);  // throws std::invalid_argument
};

class RedisReply {
 public:
  explicit RedisReply(redisReply* r) : reply_(r) {}
  ~RedisReply();
  RedisReply(RedisReply&& o) noexcept : reply_(o.reply_) { o.reply_ = nullptr; }
  RedisReply& operator=(RedisReply&&) = delete;
  const redisReply* operator->() const { return reply_; }
  const redisReply* get() const { return reply_; }

 private:
  redisReply* reply_;
};

class Redis {
 public:
  explicit Redis(const std::string& url, int timeout_ms = 1000);
  ~Redis();
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  // Runs one command given as separate arguments (binary safe). Throws std::runtime_error on a
  // connection failure or an error reply.
  RedisReply Command(const std::vector<std::string>& args);
  bool Ping();

 private:
  struct Conn;
  std::unique_ptr<Conn> Take();
  void Give(std::unique_ptr<Conn> conn);

  RedisUrl url_;
  int timeout_ms_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Conn>> idle_;
};

}  // namespace stepwise::storage
