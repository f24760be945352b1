#pragma once
// What a handler sees and returns: transport-free request and response values.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/asio.hpp"

namespace stepwise::http {

class BlockingPool;

// The authenticated caller. Role and company are read from the database on every request.
struct Principal {
  int64_t user_id = 0;
  int64_t company_id = 0;
  std::string role;
  bool IsAdmin() const { return role == "admin"; }
};

struct Request {
  std::string method;
  std::string path;    // without the query string, percent-decoded
  std::string target;  // as received
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> path_params;
  std::string route;  // the matched template, e.g. /api/users/{id}
  std::string body;
  std::string request_id;
  std::string client_ip;
  std::optional<Principal> principal;
  std::string token;  // the bearer token `principal` was read from
  // Header lookup (case-insensitive); empty when absent.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view Header(std::string_view name) const;
};

// Where a streamed response writes (server-sent events).
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // False when the client is gone or the write timed out: stop.
  virtual Task<bool> Write(const std::string& data) = 0;
  // The server is shutting down: finish.
  virtual bool Stopping() const = 0;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is streamed: the headers go out, then this writes until it returns, and
  // the connection closes.
  std::function<Task<void>(StreamSink&)> stream;

  static Response Json(unsigned status, const nlohmann::json& value);
  // {"data": data, "meta": meta}
  static Response Data(const nlohmann::json& data, unsigned status = 200,
                       const nlohmann::json& meta = nlohmann::json::object());
  static Response NoContent();
  Response& With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// Pools and per-request facilities a handler may use.
struct Context {
  Request& req;
  BlockingPool& db;               // database and other blocking I/O
  BlockingPool& cpu;              // bcrypt and other CPU-heavy work
  const Principal& User() const;  // throws UNAUTHORIZED when absent
};

}  // namespace stepwise::http
