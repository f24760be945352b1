#include "storage/db/idempotency.hpp"

namespace stepwise::storage {

std::optional<IdempotencyRecord> IdempotencyRepository::Find(int64_t company_id, int64_t user_id,
                                                             const std::string& key) {
  IdempotencyRecord r;
  sql_ << "SELECT operation, request_hash, status_code, body FROM idempotency_keys WHERE company_id = :c AND "
          "user_id = :u AND idem_key = :k",
      soci::use(company_id), soci::use(user_id), soci::use(key), soci::into(r.operation),
      soci::into(r.request_hash), soci::into(r.status_code), soci::into(r.body);
  if (!sql_.got_data()) return std::nullopt;
  return r;
}

bool IdempotencyRepository::Store(int64_t company_id, int64_t user_id, const std::string& key,
                                  const IdempotencyRecord& r, int64_t now) {
  soci::statement st =
      (sql_.prepare
           << "INSERT INTO idempotency_keys (company_id, user_id, idem_key, operation, request_hash, "
              "status_code, body, created_at) VALUES (:c, :u, :k, :o, :h, :s, :b, :n) ON CONFLICT "
              "(company_id, user_id, idem_key) DO NOTHING",
       soci::use(company_id), soci::use(user_id), soci::use(key), soci::use(r.operation),
       soci::use(r.request_hash), soci::use(r.status_code), soci::use(r.body), soci::use(now));
  st.execute(true);
  return st.get_affected_rows() == 1;
}

int64_t IdempotencyRepository::ExpireBefore(int64_t before) {
  soci::statement st =
      (sql_.prepare << "DELETE FROM idempotency_keys WHERE created_at < :b", soci::use(before));
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace stepwise::storage
