#pragma once
// Whether this server can serve: the database answers and its schema is current (/api/ready).
#include <atomic>

#include "storage/db/database.hpp"

namespace stepwise::services {

struct Readiness {
  bool database = false;            // a trivial query answered
  bool migrations_current = false;  // every migration this binary knows is applied
};

class SystemService {
 public:
  explicit SystemService(storage::Database& db) : db_(db) {}
  // Blocks (a query): run it on the database pool.
  Readiness Check();
  // Shutting down: /api/ready answers 503 from now on while requests are still served.
  void StartDraining() { draining_.store(true); }
  bool Draining() const { return draining_.load(); }

 private:
  storage::Database& db_;
  std::atomic<bool> draining_{false};
};

}  // namespace stepwise::services
