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

// The list-item shape of a workflow (also what PUT answers).
nlohmann::json WorkflowJson(const storage::WorkflowRecord& w);
// A step as JSON text: the stored JSON columns are spliced in as they are, not re-parsed.
// `screenshot` is the step's {id, url, thumbnail_url, …} object, or null.
std::string StepJsonText(const storage::StepRecord& s, const storage::ScreenshotRecord* shot,
                         const nlohmann::json& screenshot);
nlohmann::json ScreenshotJson(const storage::ScreenshotRecord& s, const std::string& url,
                              const std::optional<std::string>& thumbnail_url);

}  // namespace stepwise::api
