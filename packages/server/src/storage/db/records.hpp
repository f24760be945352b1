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

namespace stepwise::storage {

struct WorkflowRecord {
  int64_t id = 0;
  int64_t company_id = 0;
  std::optional<int64_t> created_by;
  std::string name;
  std::optional<std::string> description;
  std::string starting_url;
  std::string starting_origin;
  std::string tags_json = "[]";
  std::string status = "draft";
  double success_rate = 0;
  int64_t total_uses = 0;
  int64_t consecutive_failures = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> last_successful_run;
  std::optional<int64_t> last_failed_run;
  int64_t version = 1;
  int64_t step_count = 0;
  std::string search_text;   // written only: case-folded name and description
  int64_t thumbnails = 0;    // read by Find only: steps' screenshots that have a thumbnail
  int64_t heal_version = 0;  // read by Find only: changes of the steps' selector variants and votes
  std::optional<std::string> check_status;  // the last check's status (services/checks)
};

struct StepRecord {
  int64_t id = 0;
  int64_t workflow_id = 0;
  int64_t step_number = 0;
  std::optional<std::string> timestamp;
  std::string action_type;
  std::string selectors_json;
  std::string element_meta_json;
  std::string page_context_json;
  std::optional<std::string> action_data_json;
  std::optional<std::string> dom_context_json;
  std::optional<std::string> expected_outcome_json;
  std::optional<int64_t> screenshot_id;
  std::optional<std::string> field_label;
  std::optional<std::string> instruction;
  std::optional<double> ai_confidence;
  std::optional<std::string> ai_model;
  std::optional<int64_t> ai_generated_at;
  bool label_edited = false;
  bool instruction_edited = false;
  std::optional<int64_t> edited_by;
  std::optional<int64_t> edited_at;
  std::optional<std::string> healed_selectors_json;
  std::optional<int64_t> healed_at;
  std::optional<double> healing_confidence;
  std::optional<std::string> healing_method;
  int64_t created_at = 0;
  std::optional<std::string> page_state_hash;  // read only: page_context.page_state_hash
};

struct ScreenshotRecord {
  int64_t id = 0;
  int64_t company_id = 0;
  std::optional<int64_t> workflow_id;
  std::string hash;  // "sha256:<hex>"
  std::string storage_key;
  std::string storage_url;
  int64_t file_size = 0;
  int64_t width = 0;
  int64_t height = 0;
  std::string format;
  std::optional<std::string> thumbnail_key;
  std::optional<std::string> client_step_id;
  int64_t created_at = 0;
  std::optional<int64_t> attached_at;
};

}  // namespace stepwise::storage
