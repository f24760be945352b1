#pragma once
// Sign-up, login, token authentication and the team: companies, their users and roles.
// Every call blocks (database, bcrypt); the API layer runs them on a pool.
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.hpp"
#include "core/rate_limit.hpp"
#include "core/versions.hpp"
#include "storage/db/database.hpp"
#include "storage/db/records.hpp"

namespace stepwise::services {

struct AuthResult {
  std::string token;
  storage::UserRecord user;
};

struct Caller {
  int64_t user_id = 0;
  int64_t company_id = 0;
  std::string role;
};

struct CompanyView {
  storage::CompanyRecord company;
  int64_t user_count = 0;
};

struct UserPage {
  std::vector<storage::UserRecord> users;
  int64_t total = 0;
};

// Trims, lower-cases and checks an email address; nullopt when it is not one.
std::optional<std::string> NormalizeEmail(std::string_view raw);

class AccountService {
 public:
  // `versions` (optional) is bumped for a company whose users change.
  AccountService(storage::Database& db, const core::Config& config, std::string jwt_secret,
                 core::RateLimiter& limiter, core::VersionCounters* versions = nullptr);

  AuthResult SignupCompany(std::string_view email, std::string_view password, std::string_view name,
                           std::string_view company_name);
  AuthResult SignupWithInvite(std::string_view email, std::string_view password, std::string_view name,
                              std::string_view invite_token);
  AuthResult Login(std::string_view email, std::string_view password);

  // A one-time code (60 s) that signs the extension in as the caller, and its exchange for a
  // token (INVALID_CONNECT_CODE when unknown, used, expired, or its user is gone).
  static constexpr int64_t kConnectCodeMs = 60LL * 1000;
  struct ConnectCode {
    std::string code;
    int64_t expires_at = 0;  // Unix ms
  };
  ConnectCode CreateConnectCode(const Caller& caller);
  AuthResult Connect(std::string_view code);
  // Budgets per `action` ("login", "signup", "invite"), RATE_LIMIT_AUTH_PER_MIN each: throws
  // RATE_LIMITED when this client address has used its budget on this email, or across all
  // emails (five times the budget for logins). An email over its budget from all clients together is slowed
  // down, not locked: returns the milliseconds to wait before answering (0 when none).
  int CheckAuthBudget(std::string_view action, std::string_view client_ip, std::string_view email);
  static constexpr int kAuthIpFactor = 5;
  static constexpr int kAuthSlowdownMs = 1000;
  // Token → caller, with role and company read from the database. Throws UNAUTHORIZED.
  Caller Authenticate(std::string_view token);
  // The same without blocking: the caller when the token is valid and its user was read less
  // than AUTH_CACHE_MS ago (and not changed by this process since); nullopt when the database
  // must be asked. Throws UNAUTHORIZED for a token that is not valid.
  std::optional<Caller> CachedCaller(std::string_view token);
  // 0 when allowed, else seconds to wait.
  int UserBudget(const Caller& caller);

  std::pair<storage::UserRecord, storage::CompanyRecord> Me(const Caller& caller);
  std::string InviteCompanyName(std::string_view invite_token);

  CompanyView GetCompany(const Caller& caller);
  CompanyView UpdateCompany(const Caller& caller, const std::optional<std::string>& name,
                            const std::optional<nlohmann::json>& settings_patch);
  std::string RotateInviteToken(const Caller& caller);
  UserPage ListUsers(const Caller& caller, int limit, int offset);
  storage::UserRecord UpdateUser(const Caller& caller, int64_t user_id,
                                 const std::optional<std::string>& role,
                                 const std::optional<std::string>& name);
  void DeleteUser(const Caller& caller, int64_t user_id);

 private:
  AuthResult Issue(const storage::UserRecord& user);
  std::string CheckedPassword(std::string_view password);
  std::string CheckedEmail(std::string_view email);

  storage::Database& db_;
  const core::Config& config_;
  std::string jwt_secret_;
  core::RateLimiter& limiter_;
  core::VersionCounters* versions_;

  // Token checks that skip the database: user id → caller, when read.
  struct CachedUser {
    Caller caller;
    std::chrono::steady_clock::time_point read_at;
  };
  void Forget(int64_t user_id);
  std::mutex cache_mu_;
  std::unordered_map<int64_t, CachedUser> callers_;
  uint64_t cache_generation_ = 0;  // bumped by every Forget, under cache_mu_
};

}  // namespace stepwise::services
