#pragma once
// The auto-heal decision (the brief's Feature 3): a clear deterministic winner, else the AI with
// both screenshots, final = 0.5 × score/100 + 0.5 × AI confidence; ≥ 0.80 accepted and stored,
// 0.60–0.80 for this session and the heal review queue, below 0.60 not found. Decisions kept 24 h
// per (step, page state); refused candidates never proposed again for that page state.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ai/chain.hpp"
#include "core/versions.hpp"
#include "services/accounts.hpp"
#include "services/events.hpp"
#include "services/notifications.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/db/database.hpp"
#include "storage/db/healing.hpp"

namespace stepwise::services {

struct HealOptions {
  double accept = 0.80;
  double review = 0.60;
  double clear_score = 80;
  double clear_margin = 20;
  int64_t cache_ms = 24LL * 3600 * 1000;
  int64_t ai_timeout_ms = 10000;
  int ai_attempts = 2;
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
};

// The pure part: from the scores (and the AI's pick, if asked), what to do. Exposed for tests.
struct HealScores {
  std::optional<int> best;  // index of the highest score
  bool clear_winner = false;
};
HealScores Rank(const std::vector<HealCandidate>& candidates, const HealOptions& options);
std::string BuildHealPrompt(const nlohmann::json& original_meta,
                            const std::vector<HealCandidate>& candidates);
// {found, candidate_index (1-based), confidence} from a model's text.
std::optional<std::pair<std::optional<int>, double>> ParseHealAnswer(std::string_view text,
                                                                     size_t candidates);

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

  struct ReviewPage {
    std::vector<nlohmann::json> items;
    int64_t total = 0;
  };
  // `url` makes a blob key into a URL the browser can load.
  ReviewPage Reviews(const Caller& caller, const std::string& status, std::optional<int64_t> workflow_id,
                     int limit, int offset, const std::function<std::string(const std::string&)>& url);
  nlohmann::json Decide(const Caller& caller, int64_t review_id, bool approve,
                        const std::function<std::string(const std::string&)>& url);

 private:
  // Makes `candidate` the step's primary selector, keeping the old one.
  void Apply(soci::session& sql, const storage::HealStep& step, const HealCandidate& candidate,
             double confidence, const std::string& method);
  nlohmann::json ReviewJson(soci::session& sql, const storage::HealReviewRecord& r,
                            const std::function<std::string(const std::string&)>& url);

  storage::Database& db_;
  storage::BlobStore& blobs_;
  ai::LabelChain& chain_;
  NotificationService& notifications_;
  EventBus& events_;
  core::VersionCounters* versions_;
  HealOptions options_;
};

}  // namespace stepwise::services
