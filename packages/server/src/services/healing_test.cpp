#include "services/healing.hpp"

#include <gtest/gtest.h>

namespace stepwise::services {
namespace {

TEST(HealAnswer, ParsesIndexAndConfidence) {
  auto a =
      ParseHealAnswer("{\"found\": true, \"candidate_index\": 2, \"confidence\": 0.9, \"reason\": \"x\"}", 3);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->index);
  EXPECT_EQ(*a->index, 1);
  EXPECT_DOUBLE_EQ(a->confidence, 0.9);
  auto none = ParseHealAnswer("Here: {\"found\": false, \"candidate_index\": null, \"confidence\": 80}", 3);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->index);
  EXPECT_DOUBLE_EQ(none->confidence, 0.8);
  EXPECT_FALSE(ParseHealAnswer("{\"found\": true, \"candidate_index\": 4, \"confidence\": 0.9}", 3));
  EXPECT_FALSE(ParseHealAnswer("{\"found\": true, \"confidence\": 0.9}", 3));
  EXPECT_FALSE(ParseHealAnswer("nothing", 3));
}

TEST(HealPrompt, ListsCandidatesFromOne) {
  std::vector<HealCandidate> c{{"#c0", nullptr, nlohmann::json::object(), 70},
                               {"#c1", nullptr, nlohmann::json::object(), 65}};
  c[0].element_meta = {{"tag_name", "button"}, {"inner_text", "Save"}};
  const auto p = BuildHealPrompt({{"tag_name", "button"}, {"label_text", "Save"}}, c);
  EXPECT_NE(p.find("1. button - \"Save\" (score: 70)"), std::string::npos);
  EXPECT_NE(p.find("2. "), std::string::npos);
  EXPECT_NE(p.find("1-2 or null"), std::string::npos);
}

}  // namespace
}  // namespace stepwise::services
