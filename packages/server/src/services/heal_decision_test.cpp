#include "services/heal_decision.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace stepwise::services {
namespace {

constexpr auto kUsed = HealOutcome::kUsed;
constexpr auto kAsk = HealOutcome::kAsk;
constexpr auto kNotFound = HealOutcome::kNotFound;
constexpr auto kShared = HealScope::kShared;
constexpr auto kPersonal = HealScope::kPersonal;
constexpr auto kNone = HealScope::kNone;

AiAnswer Picks(int index, double confidence) { return AiAnswer{index, confidence}; }
AiAnswer NoMatch(double confidence) { return AiAnswer{std::nullopt, confidence}; }

struct Case {
  const char* name;
  std::vector<double> scores;
  std::optional<AiAnswer> ai;
  bool admin;
  HealOutcome outcome;
  std::optional<int> chosen;
  double confidence;
  HealScope scope;
  bool ai_assisted;
};

// Every threshold edge: the clear winner (score 80, margin 20), the bands (0.60, 0.80) with and
// without the AI, and what makes a used heal shared (an admin, the AI's own 0.80).
const Case kCases[] = {
    // --- no candidates
    {"no candidates", {}, std::nullopt, false, kNotFound, std::nullopt, 0.0, kNone, false},
    {"no candidates, admin", {}, std::nullopt, true, kNotFound, std::nullopt, 0.0, kNone, false},
    // --- clear winner: the score alone, the AI's answer ignored
    {"clear 80/60, user", {80, 60}, std::nullopt, false, kUsed, 0, 0.80, kPersonal, false},
    {"clear 80/60, admin", {80, 60}, std::nullopt, true, kUsed, 0, 0.80, kShared, false},
    {"clear 100 alone, user", {100}, std::nullopt, false, kUsed, 0, 1.0, kPersonal, false},
    {"clear 80 alone", {80}, std::nullopt, true, kUsed, 0, 0.80, kShared, false},
    {"clear, AI ignored", {60, 90}, Picks(0, 1.0), false, kUsed, 1, 0.90, kPersonal, false},
    // --- score 79.99 or margin 19.99: no clear winner; without AI the score decides alone
    {"score 79.99, no AI", {79.99, 10}, std::nullopt, false, kAsk, 0, 0.7999, kPersonal, false},
    {"score 79.99, no AI, admin", {79.99, 10}, std::nullopt, true, kAsk, 0, 0.7999, kPersonal, false},
    {"margin 19.99, no AI", {80, 60.01}, std::nullopt, false, kUsed, 0, 0.80, kPersonal, false},
    {"margin 19.99, no AI, admin", {80, 60.01}, std::nullopt, true, kUsed, 0, 0.80, kShared, false},
    {"ties 100, no AI", {100, 100}, std::nullopt, false, kUsed, 0, 1.0, kPersonal, false},
    // --- the bands without AI
    {"0.5999 not found", {59.99, 10}, std::nullopt, false, kNotFound, std::nullopt, 0.5999, kNone, false},
    {"0.60 asks", {60, 10}, std::nullopt, false, kAsk, 0, 0.60, kPersonal, false},
    {"0 not found", {0, 0}, std::nullopt, true, kNotFound, std::nullopt, 0.0, kNone, false},
    // --- with the AI: final = 0.5 × score/100 + 0.5 × AI
    {"final 0.5999", {60, 50}, Picks(0, 0.5998), false, kNotFound, std::nullopt, 0.5999, kNone, true},
    {"final 0.60", {60, 50}, Picks(0, 0.60), false, kAsk, 0, 0.60, kPersonal, true},
    {"final 0.7999", {80, 61}, Picks(0, 0.7998), false, kAsk, 0, 0.7999, kPersonal, true},
    {"final 0.7999, admin", {80, 61}, Picks(0, 0.7998), true, kAsk, 0, 0.7999, kPersonal, true},
    {"final 0.80, AI 0.80: shared", {80, 61}, Picks(0, 0.80), false, kUsed, 0, 0.80, kShared, true},
    {"final 0.80 from 60 and AI 1.0", {60, 50}, Picks(0, 1.0), false, kUsed, 0, 0.80, kShared, true},
    {"final 0.80, AI 0.7999: personal",
     {80.01, 79.99},
     Picks(0, 0.7999),
     false,
     kUsed,
     0,
     0.8,
     kPersonal,
     true},
    {"final 0.80, AI 0.7999, admin", {80.01, 79.99}, Picks(0, 0.7999), true, kUsed, 0, 0.8, kShared, true},
    {"final 0.90, AI 0.78: personal", {100, 90}, Picks(0, 0.78), false, kUsed, 0, 0.89, kPersonal, true},
    {"AI 0.95 but final 0.70: asks", {45, 40}, Picks(0, 0.95), false, kAsk, 0, 0.70, kPersonal, true},
    {"AI picks the second", {70, 65}, Picks(1, 0.95), false, kUsed, 1, 0.80, kShared, true},
    {"AI picks a weak third", {50, 45, 40}, Picks(2, 0.7), false, kNotFound, std::nullopt, 0.55, kNone, true},
    {"AI sees no match", {79, 70}, NoMatch(0.9), true, kNotFound, std::nullopt, 0.395, kNone, true},
    {"AI index out of range: ignored", {79, 70}, Picks(5, 0.9), false, kAsk, 0, 0.79, kPersonal, false},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class DecideHealTable : public testing::TestWithParam<Case> {};

TEST_P(DecideHealTable, Decides) {
  const Case& c = GetParam();
  const HealVerdict v = DecideHeal(c.scores, c.ai, c.admin, HealThresholds{});
  EXPECT_EQ(v.outcome, c.outcome);
  EXPECT_EQ(v.chosen, c.chosen);
  EXPECT_NEAR(v.confidence, c.confidence, 1e-9);
  EXPECT_EQ(v.scope, c.scope);
  EXPECT_EQ(v.ai_assisted, c.ai_assisted);
}

INSTANTIATE_TEST_SUITE_P(Thresholds, DecideHealTable, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) {
                           std::string name;
                           for (const char* p = info.param.name; *p != '\0'; ++p)
                             name += std::isalnum(static_cast<unsigned char>(*p)) != 0 ? *p : '_';
                           return name + "_" + std::to_string(info.index);
                         });

TEST(HealRank, ClearWinnerNeedsScore80AndMargin20) {
  const HealThresholds t;
  EXPECT_TRUE(Rank({80, 60}, t).clear_winner);
  EXPECT_FALSE(Rank({79, 50}, t).clear_winner);
  EXPECT_FALSE(Rank({79.99, 0}, t).clear_winner);
  EXPECT_FALSE(Rank({90, 71}, t).clear_winner);  // margin 19
  EXPECT_TRUE(Rank({90, 70}, t).clear_winner);   // margin 20
  EXPECT_TRUE(Rank({85}, t).clear_winner);       // alone
  EXPECT_FALSE(Rank({100, 100}, t).clear_winner);
  auto r = Rank({40, 95, 10}, t);
  ASSERT_TRUE(r.best);
  EXPECT_EQ(*r.best, 1);
  EXPECT_EQ(*Rank({70, 70}, t).best, 0);  // the first of equals
  EXPECT_FALSE(Rank({}, t).best);
}

TEST(HealRank, TheAiIsAskedWithoutAClearWinner) {
  const HealThresholds t;
  EXPECT_FALSE(NeedsAi({}, t));
  EXPECT_FALSE(NeedsAi({80, 60}, t));
  EXPECT_TRUE(NeedsAi({80, 61}, t));
  EXPECT_TRUE(NeedsAi({79, 0}, t));
  EXPECT_TRUE(NeedsAi({10}, t));
}

TEST(HealScopeName, Names) {
  EXPECT_STREQ(ScopeName(HealScope::kShared), "shared");
  EXPECT_STREQ(ScopeName(HealScope::kPersonal), "personal");
  EXPECT_STREQ(ScopeName(HealScope::kNone), "none");
}

}  // namespace
}  // namespace stepwise::services
