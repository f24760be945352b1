#include "services/accounts.hpp"

#include <algorithm>
#include <variant>

#include "core/crypto.hpp"
#include "core/errors.hpp"
#include "core/jwt.hpp"
#include "core/password.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "net/egress.hpp"
#include "storage/db/repositories.hpp"

namespace stepwise::services {

using core::Error;
using core::ErrorKind;
using storage::CompanyRepository;
using storage::UserRepository;

using core::Trim;

namespace {

Error InvalidCredentials() {
  return {ErrorKind::kUnauthorized, "INVALID_CREDENTIALS", "Invalid email or password"};
}

std::string NewInviteToken() { return core::RandomToken(24); }

}  // namespace

std::optional<std::string> NormalizeEmail(std::string_view raw) {
  std::string email = Trim(raw);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (email.empty() || email.size() > 254) return std::nullopt;
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at > 64 || email.find('@', at + 1) != std::string::npos) {
    return std::nullopt;
  }
  const std::string_view domain = std::string_view(email).substr(at + 1);
  const auto dot = domain.rfind('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size() ||
      domain.find("..") != std::string_view::npos || domain.front() == '-' || domain.front() == '.') {
    return std::nullopt;
  }
  for (unsigned char c : email) {
    if (c <= 0x20 || c == 0x7f || c == '(' || c == ')' || c == '<' || c == '>' || c == ',' || c == ';' ||
        c == ':' || c == '\\' || c == '"' || c == '[' || c == ']') {
      return std::nullopt;
    }
  }
  return email;
}

AccountService::AccountService(storage::Database& db, const core::Config& config, std::string jwt_secret,
                               core::RateLimiter& limiter, core::VersionCounters* versions)
    : db_(db), config_(config), jwt_secret_(std::move(jwt_secret)), limiter_(limiter), versions_(versions) {}

std::string AccountService::CheckedEmail(std::string_view email) {
  auto normalized = NormalizeEmail(email);
  if (!normalized) throw core::ValidationError("/email", "must be an email address");
  return *normalized;
}

std::string AccountService::CheckedPassword(std::string_view password) {
  if (password.size() < 8) throw core::ValidationError("/password", "must be at least 8 bytes");
  // bcrypt ignores everything after 72 bytes: refuse rather than silently truncate.
  if (password.size() > core::kMaxPasswordBytes) {
    throw core::ValidationError("/password", "must be at most 72 bytes (UTF-8)");
  }
  if (password.find('\0') != std::string_view::npos) {
    throw core::ValidationError("/password", "must not contain NUL characters");
  }
  return std::string(password);
}

AuthResult AccountService::Issue(const storage::UserRecord& user) {
  const int64_t now = core::NowSeconds();
  core::JwtClaims claims{user.id, user.company_id, user.role, now, now + config_.jwt_ttl_seconds};
  return {core::IssueJwt(claims, jwt_secret_), user};
}

AuthResult AccountService::SignupCompany(std::string_view email, std::string_view password,
                                         std::string_view name, std::string_view company_name) {
  const std::string e = CheckedEmail(email);
  const std::string p = CheckedPassword(password);
  const std::string n = Trim(name);
  const std::string c = Trim(company_name);
  if (n.empty()) throw core::ValidationError("/name", "must not be blank");
  if (c.empty()) throw core::ValidationError("/company_name", "must not be blank");
  // Refuse a taken email before spending a bcrypt round; the unique index settles races.
  db_.Read([&](soci::session& sql) {
    if (UserRepository(sql, db_.GetDialect()).FindByEmail(e)) {
      throw core::Conflict("EMAIL_TAKEN", "An account with this email already exists");
    }
  });
  const std::string hash = core::HashPassword(p, config_.bcrypt_cost);
  const int64_t now = core::NowMillis();
  auto user = db_.Transaction([&](soci::session& sql) {
    CompanyRepository companies(sql, db_.GetDialect());
    UserRepository users(sql, db_.GetDialect());
    const int64_t company_id = companies.Insert(c, NewInviteToken(), now);
    const int64_t id = users.Insert(company_id, e, hash, n, "admin", now);
    return *users.Find(company_id, id);
  });
  return Issue(user);
}

AuthResult AccountService::SignupWithInvite(std::string_view email, std::string_view password,
                                            std::string_view name, std::string_view invite_token) {
  const std::string e = CheckedEmail(email);
  const std::string p = CheckedPassword(password);
  const std::string n = Trim(name);
  if (n.empty()) throw core::ValidationError("/name", "must not be blank");
  const std::string token(invite_token);
  db_.Read([&](soci::session& sql) {
    if (!CompanyRepository(sql, db_.GetDialect()).FindByInviteToken(token)) {
      throw Error(ErrorKind::kBadRequest, "INVALID_INVITE_TOKEN", "This invite link is not valid");
    }
    if (UserRepository(sql, db_.GetDialect()).FindByEmail(e)) {
      throw core::Conflict("EMAIL_TAKEN", "An account with this email already exists");
    }
  });
  const std::string hash = core::HashPassword(p, config_.bcrypt_cost);
  const int64_t now = core::NowMillis();
  auto user = db_.Transaction([&](soci::session& sql) {
    // Looked up again inside the transaction: the token may have been rotated meanwhile.
    auto company = CompanyRepository(sql, db_.GetDialect()).FindByInviteToken(token);
    if (!company)
      throw Error(ErrorKind::kBadRequest, "INVALID_INVITE_TOKEN", "This invite link is not valid");
    UserRepository users(sql, db_.GetDialect());
    const int64_t id = users.Insert(company->id, e, hash, n, "regular", now);
    return *users.Find(company->id, id);
  });
  return Issue(user);
}

AuthResult AccountService::Login(std::string_view email, std::string_view password) {
  auto normalized = NormalizeEmail(email);
  std::optional<storage::UserRecord> user;
  if (normalized) {
    user = db_.Read(
        [&](soci::session& sql) { return UserRepository(sql, db_.GetDialect()).FindByEmail(*normalized); });
  }
  if (!user || password.size() > core::kMaxPasswordBytes || password.find('\0') != std::string_view::npos) {
    // Same cost as a real check, so response time does not tell whether the email exists.
    core::DummyVerify(config_.bcrypt_cost);
    throw InvalidCredentials();
  }
  if (!core::VerifyPassword(password, user->password_hash)) throw InvalidCredentials();
  const int64_t now = core::NowMillis();
  db_.Write([&](soci::session& sql) { UserRepository(sql, db_.GetDialect()).TouchLogin(user->id, now); });
  user->last_login_at = now;
  return Issue(*user);
}

AccountService::ConnectCode AccountService::CreateConnectCode(const Caller& caller) {
  ConnectCode out{core::RandomToken(32), core::NowMillis() + kConnectCodeMs};
  db_.Transaction([&](soci::session& sql) {
    storage::ConnectCodeRepository(sql, db_.GetDialect())
        .Insert(core::Sha256Hex(out.code), caller.company_id, caller.user_id, out.expires_at,
                core::NowMillis());
  });
  return out;
}

AuthResult AccountService::Connect(std::string_view code) {
  const auto invalid = [] {
    return core::Error(core::ErrorKind::kUnauthorized, "INVALID_CONNECT_CODE",
                       "This connect code is not valid any more; connect again from the dashboard");
  };
  auto user = db_.Transaction([&](soci::session& sql) -> std::optional<storage::UserRecord> {
    const auto owner =
        storage::ConnectCodeRepository(sql, db_.GetDialect()).Take(core::Sha256Hex(code), core::NowMillis());
    if (!owner) return std::nullopt;
    return UserRepository(sql, db_.GetDialect()).Find(owner->first, owner->second);
  });
  if (!user) throw invalid();
  return Issue(*user);
}

int AccountService::CheckAuthBudget(std::string_view action, std::string_view client_ip,
                                    std::string_view email) {
  const int limit = config_.rate_limit_auth_per_min;
  if (limit <= 0) return 0;
  const std::string prefix = std::string(action) + ":";
  // One client: its attempts across all emails, and on one email. Either over budget is a 429
  // for that client only; nobody else is locked out.
  // Logins from one address share it across many people (an office behind one NAT): five times
  // the budget across all emails. Sign-ups and invite lookups: the budget itself.
  int wait = limiter_.Hit(prefix + "ip:" + std::string(client_ip),
                          action == "login" ? limit * kAuthIpFactor : limit);
  std::string who;
  if (!email.empty()) {
    const auto normalized = NormalizeEmail(email);
    who = normalized ? *normalized : std::string(email.substr(0, 254));
    if (wait == 0) wait = limiter_.Hit(prefix + "client:" + std::string(client_ip) + ":" + who, limit);
  }
  if (wait > 0) {
    throw Error(ErrorKind::kRateLimited, "RATE_LIMITED", "Too many sign-in attempts; try again later")
        .WithRetryAfter(wait);
  }
  // One email from everywhere (a guessing attack spread over many addresses): slowed down, not
  // locked, so that the owner can still sign in.
  if (!who.empty() && limiter_.Hit(prefix + "email:" + who, limit) > 0) return kAuthSlowdownMs;
  return 0;
}

namespace {

core::JwtClaims VerifiedClaims(std::string_view token, const std::string& secret) {
  auto verified = core::VerifyJwt(token, secret, core::NowSeconds());
  if (std::holds_alternative<core::JwtError>(verified)) {
    const auto err = std::get<core::JwtError>(verified);
    throw core::Unauthorized(err == core::JwtError::kExpired ? "The token has expired; sign in again"
                                                             : "The token is not valid");
  }
  return std::get<core::JwtClaims>(verified);
}

}  // namespace

Caller AccountService::Authenticate(std::string_view token) {
  const auto claims = VerifiedClaims(token, jwt_secret_);
  uint64_t generation = 0;
  {
    std::lock_guard lock(cache_mu_);
    generation = cache_generation_;
  }
  auto user = db_.Read([&](soci::session& sql) {
    return UserRepository(sql, db_.GetDialect()).Find(claims.company_id, claims.user_id);
  });
  if (!user) throw core::Unauthorized("The account behind this token no longer exists");
  Caller caller{user->id, user->company_id, user->role};
  if (config_.auth_cache_ms > 0) {
    std::lock_guard lock(cache_mu_);
    // A user changed while we read is not cached: what we read may be from before the change.
    if (generation == cache_generation_) {
      if (callers_.size() >= 100000) callers_.clear();
      callers_[user->id] = CachedUser{caller, std::chrono::steady_clock::now()};
    }
  }
  return caller;
}

std::optional<Caller> AccountService::CachedCaller(std::string_view token) {
  if (config_.auth_cache_ms <= 0) return std::nullopt;
  const auto claims = VerifiedClaims(token, jwt_secret_);
  std::lock_guard lock(cache_mu_);
  auto it = callers_.find(claims.user_id);
  if (it == callers_.end() || it->second.caller.company_id != claims.company_id) return std::nullopt;
  if (std::chrono::steady_clock::now() - it->second.read_at >
      std::chrono::milliseconds(config_.auth_cache_ms))
    return std::nullopt;
  return it->second.caller;
}

void AccountService::Forget(int64_t user_id) {
  std::lock_guard lock(cache_mu_);
  callers_.erase(user_id);
  ++cache_generation_;
}

int AccountService::UserBudget(const Caller& caller) {
  return limiter_.Hit("user:" + std::to_string(caller.user_id), config_.rate_limit_user_per_min);
}

std::pair<storage::UserRecord, storage::CompanyRecord> AccountService::Me(const Caller& caller) {
  return db_.Read([&](soci::session& sql) {
    auto user = UserRepository(sql, db_.GetDialect()).Find(caller.company_id, caller.user_id);
    auto company = CompanyRepository(sql, db_.GetDialect()).FindById(caller.company_id);
    if (!user || !company) throw core::Unauthorized("The account behind this token no longer exists");
    return std::make_pair(*user, *company);
  });
}

std::string AccountService::InviteCompanyName(std::string_view invite_token) {
  return db_.Read([&](soci::session& sql) {
    auto company = CompanyRepository(sql, db_.GetDialect()).FindByInviteToken(std::string(invite_token));
    if (!company) throw core::NotFound("INVALID_INVITE_TOKEN", "This invite link is not valid");
    return company->name;
  });
}

CompanyView AccountService::GetCompany(const Caller& caller) {
  return db_.Read([&](soci::session& sql) {
    auto company = CompanyRepository(sql, db_.GetDialect()).FindById(caller.company_id);
    if (!company) throw core::NotFound("COMPANY_NOT_FOUND", "Company not found");
    return CompanyView{*company, UserRepository(sql, db_.GetDialect()).Count(caller.company_id)};
  });
}

CompanyView AccountService::UpdateCompany(const Caller& caller, const std::optional<std::string>& name,
                                          const std::optional<nlohmann::json>& settings_patch) {
  std::optional<std::string> trimmed;
  if (name) {
    trimmed = Trim(*name);
    if (trimmed->empty()) throw core::ValidationError("/name", "must not be blank");
  }
  // Outside the transaction: the check resolves the host.
  std::optional<nlohmann::json> patch = settings_patch;
  if (patch && patch->contains("webhook_url") && (*patch)["webhook_url"] == "")
    (*patch)["webhook_url"] = nullptr;
  if (patch && patch->contains("webhook_url") && (*patch)["webhook_url"].is_string()) {
    const auto why = net::CheckUrl((*patch)["webhook_url"].get<std::string>(),
                                   net::EgressPolicy::Tenant(config_.webhook_allow_private));
    if (!why.empty()) {
      throw core::ValidationError(
          "/settings/webhook_url",
          "The webhook URL " + why +
              (why.find("address") != std::string::npos && !config_.webhook_allow_private
                   ? "; webhooks reach public addresses only (an operator can set "
                     "WEBHOOK_ALLOW_PRIVATE=true for an intranet install)"
                   : ""));
    }
  }
  return db_.Transaction([&](soci::session& sql) {
    CompanyRepository companies(sql, db_.GetDialect());
    companies.Lock(caller.company_id);
    auto company = companies.FindById(caller.company_id);
    if (!company) throw core::NotFound("COMPANY_NOT_FOUND", "Company not found");
    auto settings = nlohmann::json::parse(company->settings_json, nullptr, false);
    if (!settings.is_object()) settings = nlohmann::json::object();
    if (patch) {
      for (const auto& [key, value] : patch->items()) {
        if (value.is_null()) {
          settings.erase(key);
        } else {
          settings[key] = value;
        }
      }
    }
    company->name = trimmed.value_or(company->name);
    company->settings_json = settings.dump();
    companies.Update(company->id, company->name, company->settings_json);
    return CompanyView{*company, UserRepository(sql, db_.GetDialect()).Count(caller.company_id)};
  });
}

std::string AccountService::RotateInviteToken(const Caller& caller) {
  const std::string token = NewInviteToken();
  db_.Transaction([&](soci::session& sql) {
    CompanyRepository(sql, db_.GetDialect()).SetInviteToken(caller.company_id, token);
  });
  return token;
}

UserPage AccountService::ListUsers(const Caller& caller, int limit, int offset) {
  return db_.Read([&](soci::session& sql) {
    UserRepository users(sql, db_.GetDialect());
    return UserPage{users.List(caller.company_id, limit, offset), users.Count(caller.company_id)};
  });
}

storage::UserRecord AccountService::UpdateUser(const Caller& caller, int64_t user_id,
                                               const std::optional<std::string>& role,
                                               const std::optional<std::string>& name) {
  std::optional<std::string> trimmed;
  if (name) {
    trimmed = Trim(*name);
    if (trimmed->empty()) throw core::ValidationError("/name", "must not be blank");
  }
  Forget(user_id);
  auto updated = db_.Transaction([&](soci::session& sql) {
    CompanyRepository(sql, db_.GetDialect()).Lock(caller.company_id);
    UserRepository users(sql, db_.GetDialect());
    auto user = users.Find(caller.company_id, user_id);
    if (!user) throw core::NotFound("USER_NOT_FOUND", "User not found");
    if (role && *role != user->role) {
      if (user->role == "admin" && users.CountAdmins(caller.company_id) <= 1) {
        throw core::Conflict("LAST_ADMIN", "The company needs at least one admin");
      }
      users.SetRole(caller.company_id, user_id, *role);
      user->role = *role;
    }
    if (trimmed) {
      users.SetName(caller.company_id, user_id, *trimmed);
      user->name = *trimmed;
    }
    return *user;
  });
  Forget(user_id);
  return updated;
}

void AccountService::DeleteUser(const Caller& caller, int64_t user_id) {
  Forget(user_id);
  db_.Transaction([&](soci::session& sql) {
    CompanyRepository(sql, db_.GetDialect()).Lock(caller.company_id);
    UserRepository users(sql, db_.GetDialect());
    auto user = users.Find(caller.company_id, user_id);
    if (!user) throw core::NotFound("USER_NOT_FOUND", "User not found");
    if (user->role == "admin" && users.CountAdmins(caller.company_id) <= 1) {
      throw core::Conflict("LAST_ADMIN", "The company needs at least one admin");
    }
    users.Delete(caller.company_id, user_id);
  });
  Forget(user_id);
  if (versions_ != nullptr) versions_->Bump(caller.company_id);  // their workflows lose created_by
}

}  // namespace stepwise::services
