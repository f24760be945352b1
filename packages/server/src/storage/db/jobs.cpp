#include "storage/db/jobs.hpp"

#include <soci/soci.h>

#include "core/time.hpp"
#include "storage/db/repositories.hpp"

namespace stepwise::storage {

void JobTable::Insert(soci::session& sql, const std::string& state, const std::string& type,
                      const std::string& payload, int64_t run_at, int max_attempts) {
  const int64_t now = core::NowMillis();
  sql << "INSERT INTO jobs (type, payload, state, attempts, max_attempts, run_at, created_at) "
         "VALUES (:t, :p, :s, 0, :m, :r, :c)",
      soci::use(type), soci::use(payload), soci::use(state), soci::use(max_attempts), soci::use(run_at),
      soci::use(now);
}

std::vector<JobRow> JobTable::Claim(const std::string& state, const std::string& owner, int max,
                                    int64_t now_ms, int64_t lease_ms) {
  const bool pg = db_.GetDialect() == storage::Dialect::kPostgres;
  const bool outbox = state == "outbox";
  const int64_t until = now_ms + lease_ms;
  // Queue: ready rows, and rows whose worker's lease ran out (it died or hung). Outbox: rows no
  // other process is handing over right now; they keep their state until deleted.
  const std::string pick =
      std::string("SELECT id FROM jobs WHERE ") +
      (outbox ? "state = 'outbox' AND (leased_until IS NULL OR leased_until <= :n1)"
              : "(state = 'queued' AND run_at <= :n1) OR (state = 'leased' AND leased_until <= :n2)") +
      " ORDER BY run_at, id LIMIT :m" + (pg ? " FOR UPDATE SKIP LOCKED" : "");
  const std::string query = std::string("UPDATE jobs SET state = '") + (outbox ? "outbox" : "leased") +
                            "', lease_owner = :o, leased_until = :u, attempts = attempts + " +
                            (outbox ? "0" : "1") + " WHERE id IN (" + pick +
                            ") RETURNING id, type, payload, attempts, max_attempts, run_at";
  return db_.Transaction([&](soci::session& sql) {
    std::vector<JobRow> out;
    JobRow row;
    soci::statement st(sql);
    st.exchange(soci::into(row.id));
    st.exchange(soci::into(row.type));
    st.exchange(soci::into(row.payload));
    st.exchange(soci::into(row.attempts));
    st.exchange(soci::into(row.max_attempts));
    st.exchange(soci::into(row.run_at));
    st.exchange(soci::use(owner, "o"));
    st.exchange(soci::use(until, "u"));
    st.exchange(soci::use(now_ms, "n1"));
    if (!outbox) st.exchange(soci::use(now_ms, "n2"));
    st.exchange(soci::use(max, "m"));
    storage::PrepareBound(st, query);
    st.execute();
    while (st.fetch()) out.push_back(row);
    return out;
  });
}

void JobTable::Delete(int64_t id, const std::string& owner) {
  db_.Transaction([&](soci::session& sql) {
    sql << "DELETE FROM jobs WHERE id = :i AND lease_owner = :o", soci::use(id), soci::use(owner);
  });
}

void JobTable::Extend(const std::vector<int64_t>& ids, const std::string& owner, int64_t until) {
  if (ids.empty()) return;
  std::string list;
  for (const auto id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  db_.Transaction([&](soci::session& sql) {
    sql << "UPDATE jobs SET leased_until = :u WHERE state = 'leased' AND lease_owner = :o AND id IN (" +
               list + ")",
        soci::use(until), soci::use(owner);
  });
}

void JobTable::DeleteMany(const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  std::string list;
  for (const auto id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  db_.Transaction([&](soci::session& sql) { sql << "DELETE FROM jobs WHERE id IN (" + list + ")"; });
}

void JobTable::HandedOver(const std::vector<int64_t>& ids, int64_t until) {
  if (ids.empty()) return;
  std::string list;
  for (const auto id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  db_.Transaction([&](soci::session& sql) {
    sql << "UPDATE jobs SET lease_owner = 'redis', leased_until = :u WHERE state = 'outbox' AND id IN (" +
               list + ")",
        soci::use(until);
  });
}

void JobTable::DeleteHanded(int64_t id) {
  db_.Write([&](soci::session& sql) {
    sql << "DELETE FROM jobs WHERE id = :i AND state = 'outbox'", soci::use(id);
  });
}

void JobTable::RescheduleHanded(int64_t id, int attempts, int64_t run_at, int64_t until) {
  db_.Write([&](soci::session& sql) {
    sql << "UPDATE jobs SET attempts = :a, run_at = :r, leased_until = :u WHERE id = :i AND state = 'outbox'",
        soci::use(attempts), soci::use(run_at), soci::use(until), soci::use(id);
  });
}

int64_t JobTable::ReleaseHanded() {
  return db_.Write([&](soci::session& sql) {
    soci::statement st =
        (sql.prepare << "UPDATE jobs SET leased_until = NULL WHERE state = 'outbox' AND lease_owner = "
                        "'redis'");
    st.execute(true);
    return static_cast<int64_t>(st.get_affected_rows());
  });
}

void JobTable::Retry(int64_t id, const std::string& owner, int64_t run_at, const std::string& error) {
  const std::string err = error.substr(0, 2000);
  db_.Transaction([&](soci::session& sql) {
    sql << "UPDATE jobs SET state = 'queued', run_at = :r, lease_owner = NULL, leased_until = NULL, "
           "last_error = :e WHERE id = :i AND lease_owner = :o",
        soci::use(run_at), soci::use(err), soci::use(id), soci::use(owner);
  });
}

void JobTable::Dead(int64_t id, const std::string& owner, const std::string& error) {
  const std::string err = error.substr(0, 2000);
  db_.Transaction([&](soci::session& sql) {
    sql << "UPDATE jobs SET state = 'dead', lease_owner = NULL, leased_until = NULL, last_error = :e "
           "WHERE id = :i AND lease_owner = :o",
        soci::use(err), soci::use(id), soci::use(owner);
  });
}

bool ScheduleTable::TryTake(const std::string& name, int64_t now_ms, int64_t next_ms) {
  bool won = false;
  db_.Transaction([&](soci::session& sql) {
    sql << "INSERT INTO job_schedule (name, next_run_at) VALUES (:n, :r) ON CONFLICT (name) DO NOTHING",
        soci::use(name), soci::use(now_ms);
    soci::statement st = (sql.prepare << "UPDATE job_schedule SET next_run_at = :x WHERE name = :n AND "
                                         "next_run_at <= :now",
                          soci::use(next_ms), soci::use(name), soci::use(now_ms));
    st.execute(true);
    won = st.get_affected_rows() == 1;
  });
  return won;
}

}  // namespace stepwise::storage
