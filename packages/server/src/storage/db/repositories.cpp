#include "storage/db/repositories.hpp"

#include "core/errors.hpp"
#include "core/time.hpp"
#include "storage/db/soci_optional.hpp"

namespace stepwise::storage {

std::string DbTime(int64_t unix_millis) { return core::FormatIsoMillis(unix_millis); }

int64_t ReadDbTime(const std::string& text) {
  if (auto t = core::ParseDbTime(text)) return *t;
  throw std::runtime_error("unreadable timestamp in database: " + text);
}

std::optional<std::string> OptionalDbTime(const std::optional<int64_t>& unix_millis) {
  if (!unix_millis) return std::nullopt;
  return DbTime(*unix_millis);
}

std::optional<int64_t> ReadOptionalDbTime(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return ReadDbTime(*text);
}

void PrepareBound(soci::statement& st, const std::string& query) {
  st.alloc();
  st.prepare(query);
  st.define_and_bind();
}

bool FetchOne(soci::session& sql, soci::statement& st, const std::string& query) {
  PrepareBound(st, query);
  st.execute(true);
  return sql.got_data();
}

namespace {

// Selects the columns in the order ReadUser expects.
constexpr const char* kUserColumns =
    "id, company_id, email, password_hash, COALESCE(name, ''), role, created_at, last_login_at";

struct UserRow {
  UserRecord rec;
  std::string created_at;
  std::optional<std::string> last_login_at;
};

void BindUser(soci::statement& st, UserRow& row) {
  st.exchange(soci::into(row.rec.id));
  st.exchange(soci::into(row.rec.company_id));
  st.exchange(soci::into(row.rec.email));
  st.exchange(soci::into(row.rec.password_hash));
  st.exchange(soci::into(row.rec.name));
  st.exchange(soci::into(row.rec.role));
  st.exchange(soci::into(row.created_at));
  st.exchange(soci::into(row.last_login_at));
}

UserRecord Finish(UserRow& row) {
  row.rec.created_at = ReadDbTime(row.created_at);
  row.rec.last_login_at = ReadOptionalDbTime(row.last_login_at);
  return row.rec;
}

}  // namespace

// ---------------------------------------------------------------- companies

int64_t CompanyRepository::Insert(const std::string& name, const std::string& invite_token, int64_t now) {
  int64_t id = 0;
  const std::string ts = DbTime(now);
  sql_ << "INSERT INTO companies (name, invite_token, settings, created_at) VALUES (:n, :t, '{}', :c) "
          "RETURNING id",
      soci::use(name), soci::use(invite_token), soci::use(ts), soci::into(id);
  return id;
}

namespace {
std::optional<CompanyRecord> FindCompany(soci::session& sql, const char* where, const auto& value) {
  CompanyRecord c;
  std::string created;
  const std::string query =
      std::string("SELECT id, name, invite_token, settings, created_at FROM companies WHERE ") + where;
  sql << query, soci::use(value), soci::into(c.id), soci::into(c.name), soci::into(c.invite_token),
      soci::into(c.settings_json), soci::into(created);
  if (!sql.got_data()) return std::nullopt;
  c.created_at = ReadDbTime(created);
  return c;
}
}  // namespace

std::optional<CompanyRecord> CompanyRepository::FindById(int64_t id) {
  return FindCompany(sql_, "id = :v", id);
}

std::optional<CompanyRecord> CompanyRepository::FindByInviteToken(const std::string& token) {
  return FindCompany(sql_, "invite_token = :v", token);
}

void CompanyRepository::Update(int64_t id, const std::string& name, const std::string& settings_json) {
  sql_ << "UPDATE companies SET name = :n, settings = :s WHERE id = :id", soci::use(name),
      soci::use(settings_json), soci::use(id);
}

void CompanyRepository::SetInviteToken(int64_t id, const std::string& token) {
  sql_ << "UPDATE companies SET invite_token = :t WHERE id = :id", soci::use(token), soci::use(id);
}

void CompanyRepository::Lock(int64_t id) {
  if (dialect_ == Dialect::kPostgres) {
    int64_t got = 0;
    sql_ << "SELECT id FROM companies WHERE id = :id FOR UPDATE", soci::use(id), soci::into(got);
  }
}

// ---------------------------------------------------------------- users

int64_t UserRepository::Insert(int64_t company_id, const std::string& email, const std::string& password_hash,
                               const std::string& name, const std::string& role, int64_t now) {
  int64_t id = 0;
  const std::string ts = DbTime(now);
  try {
    sql_ << "INSERT INTO users (company_id, email, password_hash, name, role, created_at) "
            "VALUES (:c, :e, :h, :n, :r, :t) RETURNING id",
        soci::use(company_id), soci::use(email), soci::use(password_hash), soci::use(name), soci::use(role),
        soci::use(ts), soci::into(id);
  } catch (const soci::soci_error& e) {
    if (IsUniqueViolation(e))
      throw core::Conflict("EMAIL_TAKEN", "An account with this email already exists");
    throw;
  }
  return id;
}

std::optional<UserRecord> UserRepository::FindByEmail(const std::string& email) {
  UserRow row;
  soci::statement st(sql_);
  BindUser(st, row);
  st.exchange(soci::use(email));
  if (!FetchOne(sql_, st, std::string("SELECT ") + kUserColumns + " FROM users WHERE email = :e"))
    return std::nullopt;
  return Finish(row);
}

std::optional<UserRecord> UserRepository::Find(int64_t company_id, int64_t id) {
  UserRow row;
  soci::statement st(sql_);
  BindUser(st, row);
  st.exchange(soci::use(id));
  st.exchange(soci::use(company_id));
  if (!FetchOne(sql_, st,
                std::string("SELECT ") + kUserColumns + " FROM users WHERE id = :id AND company_id = :c"))
    return std::nullopt;
  return Finish(row);
}

std::vector<UserRecord> UserRepository::List(int64_t company_id, int limit, int offset) {
  std::vector<UserRecord> out;
  UserRow row;
  soci::statement st(sql_);
  BindUser(st, row);
  st.exchange(soci::use(company_id));
  st.exchange(soci::use(limit));
  st.exchange(soci::use(offset));
  PrepareBound(st, std::string("SELECT ") + kUserColumns +
                       " FROM users WHERE company_id = :c ORDER BY id LIMIT :l OFFSET :o");
  st.execute();
  while (st.fetch()) out.push_back(Finish(row));
  return out;
}

int64_t UserRepository::Count(int64_t company_id) {
  int64_t n = 0;
  sql_ << "SELECT COUNT(*) FROM users WHERE company_id = :c", soci::use(company_id), soci::into(n);
  return n;
}

int64_t UserRepository::CountAdmins(int64_t company_id) {
  int64_t n = 0;
  sql_ << "SELECT COUNT(*) FROM users WHERE company_id = :c AND role = 'admin'", soci::use(company_id),
      soci::into(n);
  return n;
}

void UserRepository::SetRole(int64_t company_id, int64_t id, const std::string& role) {
  sql_ << "UPDATE users SET role = :r WHERE id = :id AND company_id = :c", soci::use(role), soci::use(id),
      soci::use(company_id);
}

void UserRepository::SetName(int64_t company_id, int64_t id, const std::string& name) {
  sql_ << "UPDATE users SET name = :n WHERE id = :id AND company_id = :c", soci::use(name), soci::use(id),
      soci::use(company_id);
}

void UserRepository::TouchLogin(int64_t id, int64_t now) {
  const std::string ts = DbTime(now);
  sql_ << "UPDATE users SET last_login_at = :t WHERE id = :id", soci::use(ts), soci::use(id);
}

void UserRepository::Delete(int64_t company_id, int64_t id) {
  sql_ << "DELETE FROM users WHERE id = :id AND company_id = :c", soci::use(id), soci::use(company_id);
}

void ConnectCodeRepository::Insert(const std::string& code_hash, int64_t company_id, int64_t user_id,
                                   int64_t expires_at, int64_t now) {
  sql_ << "DELETE FROM connect_codes WHERE expires_at <= :now", soci::use(now);
  sql_ << "INSERT INTO connect_codes (code_hash, company_id, user_id, expires_at) VALUES (:h, :c, :u, :e)",
      soci::use(code_hash), soci::use(company_id), soci::use(user_id), soci::use(expires_at);
}

std::optional<std::pair<int64_t, int64_t>> ConnectCodeRepository::Take(const std::string& code_hash,
                                                                       int64_t now) {
  int64_t company_id = 0;
  int64_t user_id = 0;
  soci::indicator ind = soci::i_null;
  sql_
      << "DELETE FROM connect_codes WHERE code_hash = :h AND expires_at > :now RETURNING company_id, user_id",
      soci::use(code_hash), soci::use(now), soci::into(company_id, ind), soci::into(user_id);
  if (!sql_.got_data() || ind == soci::i_null) return std::nullopt;
  return std::make_pair(company_id, user_id);
}

}  // namespace stepwise::storage
