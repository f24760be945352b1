#include "services/system.hpp"

#include "storage/db/migrate.hpp"

namespace stepwise::services {

Readiness SystemService::Check() {
  Readiness r;
  if (!db_.Ping()) return r;
  try {
    r.migrations_current = storage::GetMigrationStatus(db_).Current();
    r.database = true;
  } catch (const std::exception&) {  // the database went away between the two queries
    r.database = false;
  }
  return r;
}

}  // namespace stepwise::services
