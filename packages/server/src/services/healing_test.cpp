#include "services/healing.hpp"

#include <gtest/gtest.h>

namespace stepwise::services {
namespace {

std::vector<HealCandidate> Scores(std::initializer_list<double> s) {
  std::vector<HealCandidate> out;
  for (double v : s)
    out.push_back(HealCandidate{"#c" + std::to_string(out.size()), nullptr, nlohmann::json::object(), v});
  return out;
}

TEST(HealRank, ClearWinnerNeedsScore80AndMargin20) {
  const HealOptions o;
  EXPECT_TRUE(Rank(Scores({80, 60}), o).clear_winner);
  EXPECT_FALSE(Rank(Scores({79, 50}), o).clear_winner);
  EXPECT_FALSE(Rank(Scores({90, 71}), o).clear_winner);  // margin 19
  EXPECT_TRUE(Rank(Scores({90, 70}), o).clear_winner);   // margin 20
  EXPECT_TRUE(Rank(Scores({85}), o).clear_winner);       // alone
  auto r = Rank(Scores({40, 95, 10}), o);
  ASSERT_TRUE(r.best);
  EXPECT_EQ(*r.best, 1);
  EXPECT_FALSE(Rank({}, o).best);
}

TEST(HealAnswer, ParsesIndexAndConfidence) {
  auto a =
      ParseHealAnswer("{\"found\": true, \"candidate_index\": 2, \"confidence\": 0.9, \"reason\": \"x\"}", 3);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->first);
  EXPECT_EQ(*a->first, 1);
  EXPECT_DOUBLE_EQ(a->second, 0.9);
  auto none = ParseHealAnswer("Here: {\"found\": false, \"candidate_index\": null, \"confidence\": 80}", 3);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->first);
  EXPECT_DOUBLE_EQ(none->second, 0.8);
  EXPECT_FALSE(ParseHealAnswer("{\"found\": true, \"candidate_index\": 4, \"confidence\": 0.9}", 3));
  EXPECT_FALSE(ParseHealAnswer("{\"found\": true, \"confidence\": 0.9}", 3));
  EXPECT_FALSE(ParseHealAnswer("nothing", 3));
}

TEST(HealPrompt, ListsCandidatesFromOne) {
  auto c = Scores({70, 65});
  c[0].element_meta = {{"tag_name", "button"}, {"inner_text", "Save"}};
  const auto p = BuildHealPrompt({{"tag_name", "button"}, {"label_text", "Save"}}, c);
  EXPECT_NE(p.find("1. button - \"Save\" (score: 70)"), std::string::npos);
  EXPECT_NE(p.find("2. "), std::string::npos);
  EXPECT_NE(p.find("1-2 or null"), std::string::npos);
}

}  // namespace
}  // namespace stepwise::services
