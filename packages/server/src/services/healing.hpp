#pragma once
// Auto-heal (the brief's Feature 3) and what colleagues say about healed elements. The decision
// itself is services/heal_decision (pure); this service gathers its inputs (refused candidates,
// the 24 h decision per (step, page state), the AI with both screenshots) and stores its outcome
// as a selector variant of the step (services/variants): shared on server-side evidence only,
// else pending until enough colleagues confirm it (voteHeal) or an admin approves it.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ai/chain.hpp"
#include "core/versions.hpp"
#include "services/accounts.hpp"
#include "services/events.hpp"
#include "services/heal_decision.hpp"
#include "services/notifications.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/db/database.hpp"
#include "storage/db/healing.hpp"
#include "storage/db/variants.hpp"

namespace stepwise::services {

struct HealOptions {
  HealThresholds thresholds;
  int64_t cache_ms = 24LL * 3600 * 1000;
  int64_t ai_timeout_ms = 10000;
  int ai_attempts = 2;
  int confirmations_required = 2;  // unless the company sets heal_confirmations_required
};

struct HealCandidate {
  std::string selector;
  nlohmann::json selectors;  // null when not sent
  nlohmann::json element_meta;
  double score = 0;
};

struct HealRequest {
  int64_t step_id = 0;
  std::vector<HealCandidate> candidates;
  std::optional<std::string> screenshot;  // decoded bytes
  std::optional<std::string> page_state_hash;
  std::optional<std::string> page_url;
};

struct HealDecision {
  bool found = false;
  std::optional<std::string> selector;
  double confidence = 0;
  std::string method = "deterministic";
  bool should_update = false;
  std::optional<int> candidate_index;
  std::optional<int64_t> review_id;
  bool ask_user = false;
  std::string scope = "none";  // shared | personal | none
  std::optional<int64_t> variant_id;
};

struct HealVoteRequest {
  int64_t step_id = 0;
  std::string vote;  // confirm | reject
  std::string how;   // asked | acted
  std::string selector;
  nlohmann::json selectors;     // null when not sent
  nlohmann::json element_meta;  // null when not sent
  std::string page_state_hash;
};

struct HealVoteResult {
  std::string status;  // shared | pending | rejected
  int64_t confirmations = 0;
  int64_t rejections = 0;
  int required = 2;
  std::optional<storage::VariantRecord> variant;
};

// A decision as autoHeal answers it (AutoHealResponse's data); the checker protocol's heal_result
// carries the same shape.
nlohmann::json HealDecisionJson(const HealDecision& d);

std::string BuildHealPrompt(const nlohmann::json& original_meta,
                            const std::vector<HealCandidate>& candidates);
// {candidate_index (0-based, nullopt: no match), confidence} from a model's text.
std::optional<AiAnswer> ParseHealAnswer(std::string_view text, size_t candidates);

// A heal in the admins' review queue, with what is shown beside it: the step as recorded (its
// screenshot's blob key and size; nullopt when the step is gone) and the votes on the candidate.
struct HealReviewView {
  storage::HealReviewRecord review;
  std::optional<storage::HealStep> step;
  std::vector<storage::HealVoteRecord> votes;
};

class HealService {
 public:
  HealService(storage::Database& db, storage::BlobStore& blobs, ai::LabelChain& chain,
              NotificationService& notifications, EventBus& events, core::VersionCounters* versions,
              HealOptions options = {})
      : db_(db),
        blobs_(blobs),
        chain_(chain),
        notifications_(notifications),
        events_(events),
        versions_(versions),
        options_(options) {}

  HealDecision Heal(const Caller& caller, int64_t workflow_id, const HealRequest& request);
  HealVoteResult Vote(const Caller& caller, int64_t workflow_id, const HealVoteRequest& request);

  struct ReviewPage {
    std::vector<HealReviewView> items;
    int64_t total = 0;
  };
  ReviewPage Reviews(const Caller& caller, const std::string& status, std::optional<int64_t> workflow_id,
                     int limit, int offset);
  HealReviewView Decide(const Caller& caller, int64_t review_id, bool approve);

 private:
  // Heal's decision, uncounted.
  HealDecision Decide(const Caller& caller, int64_t workflow_id, const HealRequest& request);
  struct ReviewShot {
    std::optional<std::string> key;
    std::optional<int64_t> width;
    std::optional<int64_t> height;
  };
  // What a heal decides from, read before it decides: candidates refused for this page state (for
  // everyone, or by the caller), the decision cached for it, and the candidates left.
  struct Evidence {
    std::string state;  // the page state hash; empty when not sent
    std::set<std::string> refused;
    std::set<std::string> own;
    std::optional<std::string> cached;
    bool personal = false;  // the caller refused one of the candidates: a decision of their own
    std::vector<HealCandidate> candidates;
    std::vector<int> original_index;
    std::vector<double> scores;
  };
  Evidence LoadEvidence(const Caller& caller, const storage::HealStep& step, const HealRequest& request);
  // Claims the decision for (step, page state): nullopt when this request makes it; else the
  // decision another request made meanwhile.
  std::optional<std::string> ClaimOrWait(int64_t step_id, const std::string& state);
  // The verdict stored (a variant, maybe a review, the cached decision) and told.
  HealDecision Record(const Caller& caller, const storage::HealStep& step, const Evidence& e,
                      const HealVerdict& verdict, const HealRequest& request, bool cache);
  // The step, if the caller may heal it (404 otherwise).
  storage::HealStep VisibleStep(const Caller& caller, int64_t workflow_id, int64_t step_id);
  std::optional<HealDecision> FromCache(const Caller& caller, const storage::HealStep& step,
                                        const std::string& cached, const HealRequest& request);
  std::optional<AiAnswer> AskAi(const storage::HealStep& step, const std::vector<HealCandidate>& candidates,
                                const HealRequest& request);
  // The decision another request is making for (step, page state), once made; nullopt when its
  // claim ran out (the caller makes it then).
  std::optional<std::string> WaitForDecision(int64_t step_id, const std::string& state);
  ReviewShot KeepReviewShot(int64_t company_id, const std::optional<std::string>& screenshot);
  // In the heal's transaction: the chosen candidate as a variant of the step (shared when
  // `share`), and what that makes of the answer (scope, variant_id, should_update, ask_user).
  void StoreVariant(soci::session& sql, const Caller& caller, const storage::HealStep& step,
                    const HealCandidate& pick, bool share, const std::string& state, int64_t now,
                    HealDecision& d, std::vector<storage::NotificationRecord>& notes);
  // A heal the user is asked about goes to the admins' review queue too.
  void FileReview(soci::session& sql, const Caller& caller, const storage::HealStep& step,
                  const HealCandidate& pick, const HealRequest& request, const ReviewShot& shot, int64_t now,
                  HealDecision& d, std::vector<storage::NotificationRecord>& notes);
  void AfterWrite(int64_t company_id, const std::vector<storage::NotificationRecord>& notes);

  storage::Database& db_;
  storage::BlobStore& blobs_;
  ai::LabelChain& chain_;
  NotificationService& notifications_;
  EventBus& events_;
  core::VersionCounters* versions_;
  HealOptions options_;
};

}  // namespace stepwise::services
