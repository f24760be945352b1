#include "storage/db/migrate.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/embedded_file.hpp"
#include "core/time.hpp"

namespace stepwise::storage {

const std::vector<EmbeddedFile>& SqliteMigrations();
const std::vector<EmbeddedFile>& PostgresqlMigrations();

namespace {

constexpr long long kAdvisoryLockKey = 0x5374657077697365;  // "Stepwise"

struct Migration {
  int version;
  std::string name;
  std::string_view sql;
};

std::vector<Migration> Available(Dialect dialect) {
  const auto& files = dialect == Dialect::kSqlite ? SqliteMigrations() : PostgresqlMigrations();
  std::vector<Migration> out;
  for (const auto& f : files) {
    // "0001_initial.sql" → 1
    const auto underscore = f.name.find('_');
    const int version = std::stoi(std::string(f.name.substr(0, underscore)));
    out.push_back({version, std::string(f.name), f.content});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

void EnsureTable(soci::session& sql) {
  sql << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
         "applied_at TEXT NOT NULL)";
}

std::set<int> Applied(soci::session& sql) {
  std::set<int> versions;
  soci::rowset<int> rs = (sql.prepare << "SELECT version FROM schema_migrations");
  for (int v : rs) versions.insert(v);
  return versions;
}

void Apply(soci::session& sql, const Migration& m) {
  for (const auto& stmt : SplitSqlStatements(std::string(m.sql))) sql << stmt;
  const std::string now = core::FormatIsoMillis(core::NowMillis());
  sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :t)",
      soci::use(m.version), soci::use(m.name), soci::use(now);
}

}  // namespace

std::vector<std::string> SplitSqlStatements(const std::string& script) {
  std::vector<std::string> out;
  std::stringstream in(script);
  std::string line, current;
  while (std::getline(in, line)) {
    if (const auto c = line.find("--"); c != std::string::npos) line = line.substr(0, c);
    const auto end = line.find_last_not_of(" \t\r");
    if (end == std::string::npos) continue;
    line = line.substr(0, end + 1);
    if (line.back() == ';') {
      current += line.substr(0, line.size() - 1);
      if (current.find_first_not_of(" \t\n") != std::string::npos) out.push_back(current);
      current.clear();
    } else {
      current += line + "\n";
    }
  }
  if (current.find_first_not_of(" \t\n") != std::string::npos) out.push_back(current);
  return out;
}

std::vector<int> Migrate(Database& db) {
  std::vector<int> done;
  const auto migrations = Available(db.GetDialect());
  auto lease = db.Acquire();
  soci::session& sql = *lease;
  if (db.GetDialect() == Dialect::kSqlite) {
    // One write transaction for the whole run: a second process waits on the lock, then finds
    // everything applied.
    Database::TxGuard tx(sql, Dialect::kSqlite);
    EnsureTable(sql);
    const auto applied = Applied(sql);
    for (const auto& m : migrations) {
      if (applied.count(m.version) == 0) {
        Apply(sql, m);
        done.push_back(m.version);
      }
    }
    tx.Commit();
    return done;
  }
  sql << "SELECT pg_advisory_lock(:k)", soci::use(kAdvisoryLockKey);
  try {
    EnsureTable(sql);
    const auto applied = Applied(sql);
    for (const auto& m : migrations) {
      if (applied.count(m.version) != 0) continue;
      Database::TxGuard tx(sql, Dialect::kPostgres);
      Apply(sql, m);
      tx.Commit();
      done.push_back(m.version);
    }
  } catch (...) {
    sql << "SELECT pg_advisory_unlock(:k)", soci::use(kAdvisoryLockKey);
    throw;
  }
  sql << "SELECT pg_advisory_unlock(:k)", soci::use(kAdvisoryLockKey);
  return done;
}

MigrationStatus GetMigrationStatus(Database& db) {
  MigrationStatus status;
  const auto migrations = Available(db.GetDialect());
  if (!migrations.empty()) status.latest = migrations.back().version;
  auto lease = db.Acquire();
  soci::indicator ind = soci::i_null;
  int applied = 0;
  *lease << "SELECT MAX(version) FROM schema_migrations", soci::into(applied, ind);
  status.applied = ind == soci::i_ok ? applied : 0;
  return status;
}

}  // namespace stepwise::storage
