#pragma once
// Idempotency-Key on creating requests (a create cut by a lost connection or a killed node can be
// sent again): the same key with the same body answers what the first request was answered and
// creates nothing more; the same key with another body (or for another operation) is 422. The
// key is the caller's own (per user), stored with the answer in the transaction that creates, and
// kept 24 hours.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "services/accounts.hpp"
#include "storage/db/database.hpp"

namespace stepwise::services {

struct StoredAnswer {
  int status = 0;
  std::string body;  // the JSON body of the first answer
};

// What a create is asked with: the key, the operation, and a hash of the request body.
struct IdempotentRequest {
  std::string key;
  std::string operation;
  std::string request_hash;
};

// Thrown inside a creating transaction when another request with the same key committed first:
// the transaction rolls back, and the caller answers with Replay().
class IdempotentReplay : public std::runtime_error {
 public:
  IdempotentReplay() : std::runtime_error("idempotency key already used") {}
};

class IdempotencyService {
 public:
  static constexpr const char* kExpire = "idempotency_expire";
  static constexpr int64_t kKeepMs = 24LL * 3600 * 1000;

  explicit IdempotencyService(storage::Database& db) : db_(db) {}

  // The first answer for this key, if there is one; 422 IDEMPOTENCY_KEY_REUSED when it was used
  // for another operation or body.
  std::optional<StoredAnswer> Replay(const Caller& caller, const IdempotentRequest& request);
  // In the creating transaction, after the work: the answer stored under the key. Throws
  // IdempotentReplay when the key was taken meanwhile (the transaction must roll back).
  void StoreIn(soci::session& sql, const Caller& caller, const IdempotentRequest& request, int status,
               const std::string& body);
  int64_t Expire();

 private:
  storage::Database& db_;
};

}  // namespace stepwise::services
