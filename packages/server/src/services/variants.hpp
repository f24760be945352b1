#pragma once
// The rules of a step's selector variants, applied inside the caller's transaction: a heal, a
// confirmation, an approval or an import adds a variant and never touches the recorded selectors;
// a step holds at most VariantRepository::kMaxPerStep stored variants (the oldest pending or
// rejected one that is not preferred makes room); becoming shared is what updates the step's
// healed_* fields; at most one variant is preferred.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "storage/db/database.hpp"
#include "storage/db/variants.hpp"

namespace stepwise::services {

// A variant about to be stored.
struct NewVariant {
  std::string selector;
  nlohmann::json selectors;     // the candidate's Selectors object, or null
  nlohmann::json element_meta;  // null when unknown
  std::string source = "healed";
  std::string method;
  std::optional<double> confidence;
  std::optional<std::string> page_state_hash;
  std::optional<int64_t> created_by;
};

// The selectors stored for a variant: the candidate's Selectors with `selector` as their primary.
std::string VariantSelectorsJson(const std::string& selector, const nlohmann::json& selectors);
// Is `selector` the step's recorded primary? (The recorded variant is never stored again.)
bool IsRecordedSelector(const std::string& recorded_selectors_json, const std::string& selector);
// The company's heal_confirmations_required setting (1–10), or `fallback`.
int ConfirmationsRequired(const std::string& settings_json, int fallback);

class StepVariants {
 public:
  StepVariants(soci::session& sql, storage::Dialect dialect, int64_t workflow_id, int64_t step_id)
      : repo_(sql, dialect), workflow_id_(workflow_id), step_id_(step_id) {}

  std::optional<storage::VariantRecord> Find(const std::string& selector) {
    return repo_.Find(step_id_, selector);
  }
  // The variant of `v.selector`; stored with `status` when the step has none yet. nullopt when
  // the step is full and no stored variant may go.
  std::optional<storage::VariantRecord> Ensure(const NewVariant& v, const std::string& status, int64_t now);
  // Makes it shared (from pending or rejected) and records on the step that it did; false when
  // it already was.
  bool Share(storage::VariantRecord& v, int64_t now);
  // A pending variant becomes rejected; a shared one stays shared (it is refused per page state).
  void RejectIfPending(storage::VariantRecord& v);
  void Prefer(storage::VariantRecord& v);
  void Vote(const storage::HealVoteRecord& vote) { repo_.UpsertVote(vote); }
  storage::VoteTally Tally(const std::string& page_state_hash, const std::string& selector) {
    return repo_.Tally(step_id_, page_state_hash, selector);
  }
  // The variant as the API shows it (with its votes).
  std::optional<storage::VariantRecord> Shown(const std::string& selector);
  // Every write here ends with this: the workflow's detail (and its ETag) changed.
  void Touch() { repo_.Touch(workflow_id_); }

 private:
  storage::VariantRepository repo_;
  int64_t workflow_id_;
  int64_t step_id_;
};

}  // namespace stepwise::services
