#pragma once
// Selector variants of steps and the heal votes about them. The recorded selectors stay in
// steps.selectors; every other way a step's element was found is a row here, keyed by its primary
// selector within the step.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/db/database.hpp"

namespace stepwise::storage {

struct HealVoteRecord {
  int64_t step_id = 0;
  std::string page_state_hash;
  std::string selector;
  std::optional<int64_t> user_id;
  std::optional<std::string> user_name;
  std::string vote;  // confirm | reject
  std::string how;   // asked | acted | approved
  bool admin = false;
  int64_t created_at = 0;
};

struct VariantRecord {
  int64_t id = 0;
  int64_t step_id = 0;
  std::string selector;
  std::string selectors_json;
  std::optional<std::string> element_meta_json;
  std::string source;  // healed | imported
  std::string status;  // shared | pending | rejected
  bool preferred = false;
  std::string method;  // deterministic | ai_assisted | confirmed | approved | imported
  std::optional<double> confidence;
  std::optional<std::string> page_state_hash;
  int64_t created_at = 0;
  std::optional<int64_t> created_by;
  std::vector<HealVoteRecord> votes;  // newest first; filled by the reads that say so
};

struct VoteTally {
  int64_t confirmations = 0;  // distinct users
  int64_t rejections = 0;
  bool admin_confirmed = false;
  bool admin_rejected = false;
};

class VariantRepository {
 public:
  // Stored variants per step, and votes kept per variant.
  static constexpr int kMaxPerStep = 20;
  static constexpr int kVotesShown = 50;

  VariantRepository(soci::session& sql, Dialect dialect) : sql_(sql), dialect_(dialect) {}

  // Every variant of every step of a workflow, each with its latest kVotesShown votes (voter
  // names included): two queries whatever the number of steps. Per step: preferred first, then
  // shared, pending, rejected, each by id.
  std::map<int64_t, std::vector<VariantRecord>> ForWorkflow(int64_t workflow_id);
  // The same for one step.
  std::vector<VariantRecord> ForStep(int64_t step_id);
  std::optional<VariantRecord> Find(int64_t step_id, const std::string& selector);

  // Inserts a new variant (its selector must be new to the step); returns its id.
  int64_t Insert(const VariantRecord& v);
  int64_t Count(int64_t step_id);
  // Deletes the oldest pending or rejected variant that is not preferred; false when none.
  bool EvictOne(int64_t step_id);
  void SetStatus(int64_t id, const std::string& status);
  // Makes `id` the step's one preferred variant.
  void Prefer(int64_t step_id, int64_t id);

  // Stores the user's vote, replacing their earlier one on (step, page state, selector).
  void UpsertVote(const HealVoteRecord& vote);
  VoteTally Tally(int64_t step_id, const std::string& page_state_hash, const std::string& selector);
  // Selectors the user refused on this page state.
  std::set<std::string> RejectedBy(int64_t step_id, const std::string& page_state_hash, int64_t user_id);
  // The latest kVotesShown votes of each review (on its step, selector and page state), by review id.
  std::map<int64_t, std::vector<HealVoteRecord>> ForReviews(const std::vector<int64_t>& review_ids);

  // The workflow's variants or votes changed: its detail's ETag must change.
  void Touch(int64_t workflow_id);
  // After the step's variants changed: healed_at, healing_confidence, healing_method and
  // healed_selectors say which variant became shared last.
  void MarkStepHealed(int64_t step_id, const std::string& healed_json, std::optional<double> confidence,
                      const std::string& method, int64_t now);

 private:
  std::vector<VariantRecord> Select(const std::string& where, int64_t key);
  std::vector<HealVoteRecord> Votes(const std::string& where, int64_t key);

  soci::session& sql_;
  Dialect dialect_;
};

}  // namespace stepwise::storage
