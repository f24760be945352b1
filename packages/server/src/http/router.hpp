#pragma once
// Method + path-template routing: "/api/users/{id}" matches "/api/users/42" with id = "42".
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "http/asio.hpp"
#include "http/types.hpp"

namespace stepwise::http {

enum class Access { kPublic, kUser, kAdmin };

using Handler = std::function<Task<Response>(Context&)>;

struct Route {
  std::string method;
  std::string pattern;
  Access access = Access::kUser;
  Handler handler;
  int64_t body_limit = 0;  // 0: the server's JSON limit
  // The token may come as ?access_token= (EventSource cannot send headers).
  bool token_in_query = false;
  std::vector<std::string> segments;
};

class Router {
 public:
  Route& Add(std::string method, std::string pattern, Access access, Handler handler);

  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;  // methods of a path that matched with another method
  };
  Match Find(std::string_view method, std::string_view path) const;

  // Answers GET requests outside /api that no route matches (the dashboard's single-page app).
  void SetFallback(Handler handler);

 private:
  std::vector<Route> routes_;
  Route fallback_;
};

std::vector<std::string> SplitPath(std::string_view path);

}  // namespace stepwise::http
