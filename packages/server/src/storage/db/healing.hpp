#pragma once
// Auto-heal: cached decisions, refused candidates and the review queue.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/db/database.hpp"

namespace stepwise::storage {

struct HealStep {
  int64_t step_id = 0;
  int64_t workflow_id = 0;
  int64_t company_id = 0;
  std::string workflow_status;
  std::string workflow_name;
  int64_t step_number = 0;
  std::optional<std::string> field_label;
  std::string selectors_json;
  std::string element_meta_json;
  std::string page_context_json;
  std::optional<std::string> healed_selectors_json;
  std::optional<std::string> screenshot_key;
  std::optional<int64_t> screenshot_width;
  std::optional<int64_t> screenshot_height;
};

struct HealReviewRecord {
  int64_t id = 0;
  int64_t company_id = 0;
  int64_t workflow_id = 0;
  int64_t step_id = 0;
  std::string status;
  double confidence = 0;
  std::string method;
  std::string selector;
  std::string candidate_json;
  std::optional<std::string> previous_selector;
  std::optional<std::string> current_screenshot_key;
  std::optional<int64_t> current_width;
  std::optional<int64_t> current_height;
  std::optional<std::string> page_url;
  std::optional<std::string> page_state_hash;
  int64_t created_at = 0;
  std::optional<int64_t> decided_at;
  std::optional<int64_t> decided_by;
  std::optional<std::string> resolution;  // admin | votes, once decided
};

class HealingRepository {
 public:
  HealingRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}

  std::optional<HealStep> Step(int64_t company_id, int64_t workflow_id, int64_t step_id);
  std::optional<std::string> CachedDecision(int64_t step_id, const std::string& page_state_hash, int64_t now);
  void CacheDecision(int64_t step_id, const std::string& page_state_hash, const std::string& decision,
                     int64_t expires_at);
  void ForgetDecision(int64_t step_id, const std::string& page_state_hash);
  // Marks the decision for (step, page state) as being made by the caller until `until`: true
  // when nobody else is making it (no row, or a pending row whose maker vanished).
  bool ClaimDecision(int64_t step_id, const std::string& page_state_hash, int64_t now, int64_t until);
  std::set<std::string> Rejected(int64_t step_id, const std::string& page_state_hash);
  void Reject(int64_t step_id, const std::string& page_state_hash, const std::string& selector, int64_t now);
  // An admin confirmed it on that page state after all.
  void Unreject(int64_t step_id, const std::string& page_state_hash, const std::string& selector);

  int64_t InsertReview(const HealReviewRecord& r);
  std::optional<HealReviewRecord> Review(int64_t company_id, int64_t id, bool for_update);
  std::vector<HealReviewRecord> Reviews(int64_t company_id, const std::string& status,
                                        std::optional<int64_t> workflow_id, int limit, int offset);
  int64_t CountReviews(int64_t company_id, const std::string& status, std::optional<int64_t> workflow_id);
  void DecideReview(int64_t id, const std::string& status, const std::string& resolution,
                    std::optional<int64_t> user_id, int64_t now);
  // Decides the pending reviews of this candidate on this page state (colleagues' votes did);
  // returns how many.
  int64_t ResolvePending(int64_t step_id, const std::string& selector, const std::string& page_state_hash,
                         const std::string& status, std::optional<int64_t> user_id, int64_t now);

 private:
  soci::session& sql_;
  Dialect dialect_;
};

}  // namespace stepwise::storage
