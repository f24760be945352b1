#pragma once
// Repositories own the SQL. Every statement is parameterised and scoped by company_id; driver
// errors that mean something (a unique violation) become domain errors.
#include <optional>
#include <string>
#include <vector>

#include "storage/db/database.hpp"
#include "storage/db/records.hpp"

namespace stepwise::storage {

// Timestamps as both databases accept them on input, and back.
std::string DbTime(int64_t unix_millis);
int64_t ReadDbTime(const std::string& text);
std::optional<std::string> OptionalDbTime(const std::optional<int64_t>& unix_millis);
std::optional<int64_t> ReadOptionalDbTime(const std::optional<std::string>& text);

// Statements built exchange by exchange (SOCI's dynamic form): bind first, then prepare.
void PrepareBound(soci::statement& st, const std::string& query);
// Prepares and runs a bound statement for one row; false when there is none.
bool FetchOne(soci::session& sql, soci::statement& st, const std::string& query);

class CompanyRepository {
 public:
  CompanyRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}
  int64_t Insert(const std::string& name, const std::string& invite_token, int64_t now);
  std::optional<CompanyRecord> FindById(int64_t id);
  std::optional<CompanyRecord> FindByInviteToken(const std::string& token);
  void Update(int64_t id, const std::string& name, const std::string& settings_json);
  void SetInviteToken(int64_t id, const std::string& token);
  // Serialises team changes of one company until the transaction ends (PostgreSQL row lock;
  // SQLite transactions are already exclusive).
  void Lock(int64_t id);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

class UserRepository {
 public:
  UserRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}
  // Throws core::Error EMAIL_TAKEN when the email exists.
  int64_t Insert(int64_t company_id, const std::string& email, const std::string& password_hash,
                 const std::string& name, const std::string& role, int64_t now);
  std::optional<UserRecord> FindByEmail(const std::string& email);
  std::optional<UserRecord> Find(int64_t company_id, int64_t id);
  std::vector<UserRecord> List(int64_t company_id, int limit, int offset);
  int64_t Count(int64_t company_id);
  int64_t CountAdmins(int64_t company_id);
  void SetRole(int64_t company_id, int64_t id, const std::string& role);
  void SetName(int64_t company_id, int64_t id, const std::string& name);
  void TouchLogin(int64_t id, int64_t now);
  void Delete(int64_t company_id, int64_t id);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

// One-time codes that sign the extension in, kept by their SHA-256.
class ConnectCodeRepository {
 public:
  ConnectCodeRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}
  // Also drops codes that ran out.
  void Insert(const std::string& code_hash, int64_t company_id, int64_t user_id, int64_t expires_at,
              int64_t now);
  // The (company, user) of a code not yet run out, deleted by the same statement: of two
  // requests with one code, one gets it.
  std::optional<std::pair<int64_t, int64_t>> Take(const std::string& code_hash, int64_t now);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

}  // namespace stepwise::storage
