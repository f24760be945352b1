#pragma once
// Response shapes, kept in one place so every endpoint renders a resource the same way.
#include <functional>

#include <nlohmann/json.hpp>

#include "core/json_writer.hpp"
#include "services/accounts.hpp"
#include "services/healing.hpp"
#include "services/health.hpp"
#include "storage/db/records.hpp"
#include "storage/db/variants.hpp"

namespace stepwise::api {

// {id, email, name, role, company_id}: what signup and login return.
nlohmann::json UserSummaryJson(const storage::UserRecord& user);
// The summary plus created_at and last_login_at.
nlohmann::json UserJson(const storage::UserRecord& user);
nlohmann::json CompanyJson(const services::CompanyView& view);
// {id, name, launcher_enabled}: the caller's company as every member sees it (authMe).
nlohmann::json CompanyRefJson(const storage::CompanyRecord& company);
nlohmann::json AuthJson(const services::AuthResult& auth);

// The list-item shape of a workflow (also what PUT answers), written into an open writer; with
// `close` false the object is left open for more keys (the detail adds steps).
void WriteWorkflow(core::JsonWriter& out, const storage::WorkflowRecord& w, bool close = true);
struct ScreenshotLinks {
  std::string url;
  std::optional<std::string> thumbnail_url;
};
// A step: the stored JSON columns are spliced in as they are, not re-parsed. With `shot` and
// `links`, the step carries its screenshot's signed URLs. `selector_variants` lists the recorded
// selectors first (recorded by `recorded_by`), then `variants` (the step's stored ones, in order).
void WriteStep(core::JsonWriter& out, const storage::StepRecord& s, const storage::ScreenshotRecord* shot,
               const ScreenshotLinks* links, const std::vector<storage::VariantRecord>& variants,
               std::optional<int64_t> recorded_by);
// A stored selector variant (SelectorVariant) with its votes.
void WriteVariant(core::JsonWriter& out, const storage::VariantRecord& v);
nlohmann::json ScreenshotJson(const storage::ScreenshotRecord& s, const std::string& url,
                              const std::optional<std::string>& thumbnail_url);

// A workflow's health counts (WorkflowHealthFields), and its health report (WorkflowHealth).
nlohmann::json HealthFieldsJson(const storage::HealthFields& f);
nlohmann::json HealthReportJson(const services::WorkflowHealthReport& r);

// A blob key → a URL the browser can load (signed, short-lived).
using BlobLink = std::function<std::string(const std::string&)>;
// A heal review (HealReview): the recorded and the current screenshot as links.
nlohmann::json HealReviewJson(const services::HealReviewView& view, const BlobLink& link);

}  // namespace stepwise::api
