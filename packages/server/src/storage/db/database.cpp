#include "storage/db/database.hpp"

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include "core/errors.hpp"
#include "core/metrics.hpp"

namespace stepwise::storage {

DatabaseUrl DatabaseUrl::Parse(const std::string& url) {
  if (url.rfind("sqlite://", 0) == 0) {
    std::string rest = url.substr(9);  // "/./app.db" or "//abs/path"
    if (rest.empty() || rest[0] != '/') {
      throw std::invalid_argument("DATABASE_URL: expected sqlite:///path, got '" + url + "'");
    }
    std::string path = rest.substr(1);
    if (path.empty()) throw std::invalid_argument("DATABASE_URL: sqlite URL without a path");
    const auto q = path.find('?');
    if (q != std::string::npos) path = path.substr(0, q);
    // SOCI's sqlite3 connect string is space separated: quote the path.
    if (path.find('"') != std::string::npos)
      throw std::invalid_argument("DATABASE_URL: path may not contain quotes");
    return {Dialect::kSqlite, "db=\"" + path + "\" timeout=10 shared_cache=false", path};
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    // SOCI rewrites the connect string as keyword=value pairs, which mangles a URI: let libpq
    // parse the URI and hand SOCI the keyword form.
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
    if (opts == nullptr) {
      std::string msg = err != nullptr ? err : "unparseable";
      if (err != nullptr) PQfreemem(err);
      throw std::invalid_argument("DATABASE_URL: " + msg);
    }
    std::string conninfo;
    for (auto* o = opts; o->keyword != nullptr; ++o) {
      if (o->val == nullptr || o->val[0] == '\0') continue;
      std::string value;
      for (const char* c = o->val; *c != '\0'; ++c) {
        if (*c == '\\' || *c == '\'') value += '\\';
        value += *c;
      }
      conninfo += std::string(conninfo.empty() ? "" : " ") + o->keyword + "='" + value + "'";
    }
    PQconninfoFree(opts);
    return {Dialect::kPostgres, conninfo, ""};
  }
  throw std::invalid_argument("DATABASE_URL must start with sqlite:/// or postgresql://");
}

Database::Database(const DatabaseUrl& url, size_t pool_size)
    : dialect_(url.dialect),
      pool_size_(pool_size),
      pool_(std::make_unique<soci::connection_pool>(pool_size)) {
  if (dialect_ == Dialect::kSqlite) {
    const auto parent = std::filesystem::path(url.sqlite_path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
  }
  for (size_t i = 0; i < pool_size; ++i) {
    auto& sql = pool_->at(i);
    if (dialect_ == Dialect::kSqlite) {
      sql.open(*soci::factory_sqlite3(), url.connect_string);
    } else {
      sql.open(*soci::factory_postgresql(), url.connect_string);
    }
    Prepare(sql);
  }
}

Database::~Database() = default;

void Database::Prepare(soci::session& sql) {
  if (dialect_ == Dialect::kSqlite) {
    sql << "PRAGMA busy_timeout=10000";
    // Switching a new database to WAL needs an exclusive lock, and SQLite does not always wait
    // on the busy handler for it: when two processes start at once on a fresh file, retry.
    for (int attempt = 0;; ++attempt) {
      try {
        sql << "PRAGMA journal_mode=WAL";
        break;
      } catch (const soci::soci_error& e) {
        if (attempt >= 200 || std::string(e.what()).find("locked") == std::string::npos) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    sql << "PRAGMA synchronous=NORMAL";
    sql << "PRAGMA foreign_keys=ON";
  } else {
    sql << "SET TIME ZONE 'UTC'";
  }
}

namespace {
bool PostgresConnected(soci::session& sql) {
  auto* be = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
  return be != nullptr && be->conn_ != nullptr && PQstatus(be->conn_) == CONNECTION_OK;
}

core::Error Unavailable() {
  return core::Error(core::ErrorKind::kUnavailable, "DATABASE_UNAVAILABLE",
                     "The database is not reachable; retry shortly")
      .WithRetryAfter(1);
}
}  // namespace

Database::Lease Database::Acquire() {
  static auto& waits = core::metrics::Default().Histograms(
      "stepwise_db_pool_wait_seconds", "Time waited for a database connection from the pool, in seconds.");
  static auto& in_use = core::metrics::Default().Gauges("stepwise_db_pool_connections_in_use",
                                                        "Database connections taken from the pool.");
  const auto asked = std::chrono::steady_clock::now();
  Lease lease{*this, pool_->lease()};
  waits.With({}).Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count());
  in_use.With({}).Add(1);
  if (dialect_ == Dialect::kPostgres && !PostgresConnected(*lease)) {
    // The server restarted or dropped us: reconnect once, else report the outage.
    try {
      lease->reconnect();
      Prepare(*lease);
    } catch (const std::exception&) {
      throw Unavailable();
    }
  }
  return lease;
}

bool Database::Disconnected(soci::session& sql) {
  return dialect_ == Dialect::kPostgres && !PostgresConnected(sql);
}

void Database::ThrowIfDisconnected(soci::session& sql) {
  if (Disconnected(sql)) throw Unavailable();
}

Database::Lease::~Lease() {
  if (db_ != nullptr) {
    static auto& in_use = core::metrics::Default().Gauges("stepwise_db_pool_connections_in_use",
                                                          "Database connections taken from the pool.");
    in_use.With({}).Add(-1);
  }
  if (db_ != nullptr) db_->pool_->give_back(pos_);
}

soci::session& Database::Lease::operator*() const { return db_->pool_->at(pos_); }

bool Database::Ping() {
  try {
    auto lease = Acquire();
    int one = 0;
    *lease << "SELECT 1", soci::into(one);
    return one == 1;
  } catch (const std::exception&) {
    return false;
  }
}

Database::TxGuard Database::Begin(soci::session& sql) {
  try {
    return {sql, dialect_};
  } catch (const soci::soci_error&) {
    if (!Disconnected(sql)) throw;
  }
  try {
    sql.reconnect();
    Prepare(sql);
  } catch (const std::exception&) {
    throw Unavailable();
  }
  return {sql, dialect_};
}

Database::TxGuard::TxGuard(soci::session& sql, Dialect dialect) : sql_(sql) {
  sql_ << (dialect == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
}

Database::TxGuard::~TxGuard() {
  if (done_) return;
  try {
    sql_ << "ROLLBACK";
  } catch (...) {  // NOLINT(bugprone-empty-catch): a failed rollback leaves nothing to undo
  }
}

void Database::TxGuard::Commit() {
  sql_ << "COMMIT";
  done_ = true;
}

namespace {
bool MessageHas(const std::exception& e, std::initializer_list<const char*> needles) {
  const std::string what = e.what();
  for (const char* n : needles) {
    if (what.find(n) != std::string::npos) return true;
  }
  return false;
}
}  // namespace

bool IsUniqueViolation(const std::exception& e) {
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    return pg->sqlstate() == "23505";
  }
  return MessageHas(e, {"UNIQUE constraint failed", "duplicate key value"});
}

bool IsForeignKeyViolation(const std::exception& e) {
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    return pg->sqlstate() == "23503";
  }
  return MessageHas(e, {"FOREIGN KEY constraint failed", "violates foreign key"});
}

void RethrowMapped(const soci::soci_error& e) {
  if (IsForeignKeyViolation(e)) {
    throw core::Conflict("CONFLICT",
                         "Something this refers to was changed or removed meanwhile; reload and try again");
  }
  throw;  // NOLINT(misc-throw-by-value-catch-by-reference): the exception being handled, unchanged
}

}  // namespace stepwise::storage
