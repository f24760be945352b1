#pragma once
#include <string>
#include <vector>

#include "storage/db/database.hpp"

namespace stepwise::storage {

struct MigrationStatus {
  int latest = 0;   // highest version compiled into this binary
  int applied = 0;  // highest version recorded in the database
  bool Current() const { return applied >= latest; }
};

// Applies every migration compiled into the binary that the database lacks, in order, each in
// its own transaction, recorded in schema_migrations. Safe when several processes start at once:
// PostgreSQL takes an advisory lock, SQLite holds its write lock for the whole run. Returns the
// versions applied now.
std::vector<int> Migrate(Database& db);
MigrationStatus GetMigrationStatus(Database& db);

// Splits a migration file into statements on `;` at the end of a line, dropping `--` comments.
std::vector<std::string> SplitSqlStatements(const std::string& script);

}  // namespace stepwise::storage
