#pragma once
// The database: a pool of SOCI sessions on SQLite or PostgreSQL, chosen by DATABASE_URL.
// All calls block; callers run them on the blocking pool, never on an I/O thread.
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <soci/soci.h>

namespace stepwise::storage {

enum class Dialect { kSqlite, kPostgres };

// Maps driver errors to meaning, so repositories can turn them into domain errors.
bool IsUniqueViolation(const std::exception& e);
bool IsForeignKeyViolation(const std::exception& e);
// A foreign-key violation that escaped its repository (what a row refers to was removed by a
// concurrent request) becomes a 409 CONFLICT instead of an internal error; anything else is
// rethrown as it is.
[[noreturn]] void RethrowMapped(const soci::soci_error& e);

struct DatabaseUrl {
  Dialect dialect;
  std::string connect_string;  // what SOCI's backend takes
  std::string sqlite_path;     // SQLite only
  // Parses sqlite:///relative/path, sqlite:////absolute/path, postgresql://… (postgres:// too).
  // Throws std::invalid_argument on anything else.
  static DatabaseUrl Parse(const std::string& url);
};

class Database {
 public:
  Database(const DatabaseUrl& url, size_t pool_size);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Dialect GetDialect() const { return dialect_; }
  size_t PoolSize() const { return pool_size_; }

  // A session borrowed from the pool for the lifetime of the lease.
  class Lease {
   public:
    Lease(Database& db, size_t pos) : db_(&db), pos_(pos) {}
    Lease(Lease&& o) noexcept : db_(std::exchange(o.db_, nullptr)), pos_(o.pos_) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    soci::session& operator*() const;
    soci::session* operator->() const { return &**this; }

   private:
    Database* db_;
    size_t pos_;
  };
  Lease Acquire();

  // Runs fn(session) inside a transaction and commits; rolls back if fn throws. On SQLite the
  // transaction takes the write lock up front (BEGIN IMMEDIATE), so two writers never deadlock
  // on a lock upgrade; busy_timeout makes the second one wait. Writers of this process queue on
  // a mutex first: SQLite has one writer anyway, and a queue is fairer and faster than its busy
  // handler's sleep-and-poll (which let the tail grow with the number of writers). A writer takes
  // its connection only once it is its turn: queued writers holding connections starved readers
  // (8 workers waiting to write held all 8). Never call Transaction inside Read or Transaction.
  template <class F>
  auto Transaction(F&& fn) {
    std::unique_lock<std::mutex> writer(sqlite_writer_, std::defer_lock);
    if (dialect_ == Dialect::kSqlite) writer.lock();
    auto lease = Acquire();
    try {
      TxGuard tx = Begin(*lease);
      if constexpr (std::is_void_v<decltype(fn(*lease))>) {
        fn(*lease);
        tx.Commit();
      } else {
        auto result = fn(*lease);
        tx.Commit();
        return result;
      }
    } catch (const soci::soci_error& e) {
      ThrowIfDisconnected(*lease);
      RethrowMapped(e);
    }
  }

  // Runs fn(session) outside a transaction, for reads. If the connection turns out to be dead
  // (the database restarted since it was last used), reconnects and runs fn once more.
  template <class F>
  auto Read(F&& fn) {
    for (int attempt = 0;; ++attempt) {
      auto lease = Acquire();
      try {
        return fn(*lease);
      } catch (const soci::soci_error& e) {
        if (attempt > 0 || !Disconnected(*lease)) {
          ThrowIfDisconnected(*lease);
          RethrowMapped(e);
        }
      }
    }
  }

  // Runs fn(session) outside a transaction for one statement that writes (each statement commits
  // on its own): a counter, a timestamp, an insert that may lose a race. On SQLite it queues
  // with the transactions of this process for the write lock. Not retried: a write that may
  // have reached the database is not run twice.
  template <class F>
  auto Write(F&& fn) {
    std::unique_lock<std::mutex> writer(sqlite_writer_, std::defer_lock);
    if (dialect_ == Dialect::kSqlite) writer.lock();
    auto lease = Acquire();
    try {
      return fn(*lease);
    } catch (const soci::soci_error& e) {
      ThrowIfDisconnected(*lease);
      RethrowMapped(e);
    }
  }

  // True when a trivial query answers.
  bool Ping();
  // A query failed: if the connection is gone, say so as DATABASE_UNAVAILABLE (503) rather than
  // as an internal error. The next lease reconnects.
  void ThrowIfDisconnected(soci::session& sql);
  bool Disconnected(soci::session& sql);

  class TxGuard {
   public:
    TxGuard(soci::session& sql, Dialect dialect);
    TxGuard(TxGuard&& other) noexcept : sql_(other.sql_), done_(other.done_) { other.done_ = true; }
    TxGuard(const TxGuard&) = delete;
    TxGuard& operator=(const TxGuard&) = delete;
    TxGuard& operator=(TxGuard&&) = delete;
    ~TxGuard();
    void Commit();

   private:
    soci::session& sql_;
    bool done_ = false;
  };

 private:
  std::mutex sqlite_writer_;  // see Transaction
  // BEGIN on a pooled connection. A PostgreSQL connection whose server went away (a restart) looks
  // fine until used: when BEGIN fails on a dead connection, nothing was written, so it reconnects
  // and begins once more instead of failing the request.
  TxGuard Begin(soci::session& sql);
  void Prepare(soci::session& sql);
  Dialect dialect_;
  size_t pool_size_;
  std::unique_ptr<soci::connection_pool> pool_;
};

}  // namespace stepwise::storage
