#include "services/heal_decision.hpp"

#include <algorithm>

namespace stepwise::services {

namespace {
// Scores and confidences arrive as doubles (79.99, 0.5 × 0.6 + …): a threshold compares with a
// little slack so that 0.80 computed as 0.7999999999 still counts as 0.80.
constexpr double kEpsilon = 1e-9;
bool AtLeast(double value, double threshold) { return value >= threshold - kEpsilon; }
}  // namespace

HealScores Rank(const std::vector<double>& scores, const HealThresholds& t) {
  HealScores s;
  if (scores.empty()) return s;
  int best = 0;
  for (size_t i = 1; i < scores.size(); ++i) {
    if (scores[i] > scores[best]) best = static_cast<int>(i);
  }
  double next = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (static_cast<int>(i) != best) next = std::max(next, scores[i]);
  }
  s.best = best;
  s.clear_winner = AtLeast(scores[best], t.clear_score) && AtLeast(scores[best] - next, t.clear_margin);
  return s;
}

bool NeedsAi(const std::vector<double>& scores, const HealThresholds& t) {
  const HealScores rank = Rank(scores, t);
  return rank.best && !rank.clear_winner;
}

HealVerdict DecideHeal(const std::vector<double>& scores, const std::optional<AiAnswer>& ai,
                       bool caller_is_admin, const HealThresholds& t) {
  HealVerdict v;
  const HealScores rank = Rank(scores, t);
  if (!rank.best) return v;
  std::optional<int> chosen = rank.best;
  double final_score = scores[*rank.best] / 100.0;
  bool ai_evidence = false;
  const bool valid_ai =
      ai && (!ai->index || (*ai->index >= 0 && *ai->index < static_cast<int>(scores.size())));
  if (!rank.clear_winner && valid_ai) {
    v.ai_assisted = true;
    if (ai->index) {
      chosen = *ai->index;
      final_score = 0.5 * scores[*chosen] / 100.0 + 0.5 * ai->confidence;
      ai_evidence = AtLeast(ai->confidence, t.ai_evidence);
    } else {
      final_score = 0.5 * scores[*rank.best] / 100.0;  // the AI sees no match
    }
  }
  v.confidence = std::clamp(final_score, 0.0, 1.0);
  if (!AtLeast(final_score, t.review)) return v;  // not found: nothing chosen, nothing stored
  v.chosen = chosen;
  if (AtLeast(final_score, t.accept)) {
    v.outcome = HealOutcome::kUsed;
    v.scope = caller_is_admin || ai_evidence ? HealScope::kShared : HealScope::kPersonal;
  } else {
    v.outcome = HealOutcome::kAsk;
    v.scope = HealScope::kPersonal;
  }
  return v;
}

const char* ScopeName(HealScope scope) {
  switch (scope) {
    case HealScope::kShared:
      return "shared";
    case HealScope::kPersonal:
      return "personal";
    case HealScope::kNone:
      return "none";
  }
  return "none";
}

}  // namespace stepwise::services
