#pragma once
// One HTTP(S) POST with libcurl, under an egress policy (net/egress.hpp): bounded connect and
// total time, a bounded answer, no redirects, and every address it connects to checked.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/egress.hpp"

namespace stepwise::net {

struct HttpResult {
  long status = 0;
  std::string body;
  int64_t retry_after_ms = -1;  // from retry-after-ms or retry-after (seconds), when sent
};

// The request did not get an answer.
class TransportError : public std::runtime_error {
 public:
  enum class Kind {
    kFailed,   // timeout, refused connection, TLS failure, an answer over the size limit: may work later
    kRefused,  // the egress policy refused the destination: trying again will not help
  };
  TransportError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind GetKind() const { return kind_; }

 private:
  Kind kind_;
};

HttpResult PostJson(const std::string& url, const std::vector<std::string>& headers, const std::string& body,
                    const EgressPolicy& policy);

}  // namespace stepwise::net
