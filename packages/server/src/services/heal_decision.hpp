#pragma once
// The auto-heal decision as a pure function: from the candidates' deterministic scores, the AI's
// answer (when it was asked and answered) and who asks, what the walkthrough does with the best
// candidate and what is stored for everyone. No database, no AI, no clock.
//
//   clear winner (best score ≥ 80 and ≥ 20 ahead of the next): the score alone decides;
//   otherwise, with an AI answer: final = 0.5 × score/100 + 0.5 × AI confidence (the AI's pick);
//   without one (none configured, timed out): final = score/100.
//   final ≥ 0.80 → used; 0.60 ≤ final < 0.80 → ask the user (and file a heal review);
//   below 0.60 → not found.
//
// What a used heal changes for everyone (`scope`) rests on server-side evidence only: it is
// shared when the caller is an admin, or when the AI answered and its own confidence alone is
// ≥ 0.80; otherwise it stays the caller's (personal) until colleagues confirm it. An asked heal
// is personal (the user's "Yes" is a vote); nothing found is stored nowhere. The client's
// score never makes anything shared on its own.
#include <optional>
#include <string>
#include <vector>

namespace stepwise::services {

struct HealThresholds {
  double accept = 0.80;       // final confidence from which the candidate is used
  double review = 0.60;       // ... from which the user is asked about it
  double clear_score = 80;    // a clear winner's score ...
  double clear_margin = 20;   // ... and its lead over the next
  double ai_evidence = 0.80;  // the AI's own confidence that makes a used heal shared
};

// The highest score (the first of equals) and whether it is a clear winner.
struct HealScores {
  std::optional<int> best;
  bool clear_winner = false;
};
HealScores Rank(const std::vector<double>& scores, const HealThresholds& t);
// The AI is asked when there are candidates and none is a clear winner.
bool NeedsAi(const std::vector<double>& scores, const HealThresholds& t);

struct AiAnswer {
  std::optional<int> index;  // 0-based; nullopt: the AI sees no match
  double confidence = 0;
};

enum class HealOutcome { kUsed, kAsk, kNotFound };
enum class HealScope { kShared, kPersonal, kNone };

struct HealVerdict {
  HealOutcome outcome = HealOutcome::kNotFound;
  std::optional<int> chosen;  // index into the scores; set unless not found
  double confidence = 0;      // the final confidence, in [0, 1]
  HealScope scope = HealScope::kNone;
  bool ai_assisted = false;  // the AI's answer went into the confidence
};

// `ai` is ignored for a clear winner (the AI is not asked then).
HealVerdict DecideHeal(const std::vector<double>& scores, const std::optional<AiAnswer>& ai,
                       bool caller_is_admin, const HealThresholds& t);

const char* ScopeName(HealScope scope);

}  // namespace stepwise::services
