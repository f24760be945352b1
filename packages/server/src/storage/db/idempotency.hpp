#pragma once
// Idempotency keys of creating requests: claimed and answered in the creating transaction.
#include <optional>
#include <string>

#include "storage/db/database.hpp"

namespace stepwise::storage {

struct IdempotencyRecord {
  std::string operation;
  std::string request_hash;
  int64_t status_code = 0;
  std::string body;
};

class IdempotencyRepository {
 public:
  IdempotencyRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}
  std::optional<IdempotencyRecord> Find(int64_t company_id, int64_t user_id, const std::string& key);
  // Stores the answer under the key; false when the key is taken (another request with it
  // committed first: this transaction must not create anything).
  bool Store(int64_t company_id, int64_t user_id, const std::string& key, const IdempotencyRecord& r,
             int64_t now);
  int64_t ExpireBefore(int64_t before);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

}  // namespace stepwise::storage
