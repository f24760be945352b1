#include "services/idempotency.hpp"

#include "core/errors.hpp"
#include "core/time.hpp"
#include "storage/db/idempotency.hpp"

namespace stepwise::services {

std::optional<StoredAnswer> IdempotencyService::Replay(const Caller& caller,
                                                       const IdempotentRequest& request) {
  const auto found = db_.Read([&](soci::session& sql) {
    return storage::IdempotencyRepository(sql, db_.GetDialect())
        .Find(caller.company_id, caller.user_id, request.key);
  });
  if (!found) return std::nullopt;
  if (found->operation != request.operation || found->request_hash != request.request_hash)
    throw core::Error(core::ErrorKind::kValidation, "IDEMPOTENCY_KEY_REUSED",
                      "This Idempotency-Key was used for another request; use a new key for a new request",
                      {{"errors", nlohmann::json::array({{{"pointer", "/headers/Idempotency-Key"},
                                                          {"message", "was used for another request"}}})}});
  return StoredAnswer{static_cast<int>(found->status_code), found->body};
}

void IdempotencyService::StoreIn(soci::session& sql, const Caller& caller, const IdempotentRequest& request,
                                 int status, const std::string& body) {
  const storage::IdempotencyRecord r{request.operation, request.request_hash, status, body};
  if (!storage::IdempotencyRepository(sql, db_.GetDialect())
           .Store(caller.company_id, caller.user_id, request.key, r, core::NowMillis()))
    throw IdempotentReplay();
}

int64_t IdempotencyService::Expire() {
  return db_.Transaction([&](soci::session& sql) {
    return storage::IdempotencyRepository(sql, db_.GetDialect()).ExpireBefore(core::NowMillis() - kKeepMs);
  });
}

}  // namespace stepwise::services
