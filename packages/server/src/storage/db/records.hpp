#pragma once
// Rows as the repositories hand them to services. Times are Unix milliseconds.
#include <cstdint>
#include <optional>
#include <string>

namespace stepwise::storage {

struct CompanyRecord {
  int64_t id = 0;
  std::string name;
  std::string invite_token;
  std::string settings_json = "{}";
  int64_t created_at = 0;
};

struct UserRecord {
  int64_t id = 0;
  int64_t company_id = 0;
  std::string email;
  std::string password_hash;
  std::string name;
  std::string role;
  int64_t created_at = 0;
  std::optional<int64_t> last_login_at;
};

}  // namespace stepwise::storage
