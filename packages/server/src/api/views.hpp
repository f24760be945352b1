#pragma once
// Response shapes, kept in one place so every endpoint renders a resource the same way.
#include <nlohmann/json.hpp>

#include "services/accounts.hpp"
#include "storage/db/records.hpp"

namespace stepwise::api {

// {id, email, name, role, company_id}: what signup and login return.
nlohmann::json UserSummaryJson(const storage::UserRecord& user);
// The summary plus created_at and last_login_at.
nlohmann::json UserJson(const storage::UserRecord& user);
nlohmann::json CompanyJson(const services::CompanyView& view);
nlohmann::json AuthJson(const services::AuthResult& auth);

}  // namespace stepwise::api
