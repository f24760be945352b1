#include "ai/labeler.hpp"

#include <gtest/gtest.h>

#include "ai/vendors.hpp"

namespace stepwise::ai {
namespace {

using nlohmann::json;

StepFacts Facts(std::string action, json meta, json data = nullptr, json page = json::object()) {
  return StepFacts{std::move(action), std::move(meta), std::move(data), std::move(page)};
}

TEST(LocalLabel, SelectNamesTheFieldAndTheChoice) {
  auto l = LocalLabel(Facts("select_change", {{"tag_name", "select"}, {"label_text", "Vendor:"}},
                            {{"input_value", "ABC Corp"}}));
  EXPECT_EQ(l.field_label, "Vendor");
  EXPECT_EQ(l.instruction, "Select \u201cABC Corp\u201d in the Vendor dropdown.");
  EXPECT_EQ(l.model, "local");
  EXPECT_GT(l.confidence, 0.8);
}

TEST(LocalLabel, ButtonsUseTheirTextAndPasswordsStaySecret) {
  auto b = LocalLabel(Facts("click", {{"tag_name", "button"}, {"inner_text", "  Save   changes "}}));
  EXPECT_EQ(b.field_label, "Save changes");
  EXPECT_EQ(b.instruction, "Click the \u201cSave changes\u201d button.");
  auto p = LocalLabel(Facts("input_commit",
                            {{"tag_name", "input"}, {"type", "password"}, {"label_text", "Password"}},
                            {{"input_value", "hunter2"}, {"value_masked", true}}));
  EXPECT_EQ(p.instruction, "Enter your password in the Password field.");
  EXPECT_EQ(p.instruction.find("hunter2"), std::string::npos);
  auto n = LocalLabel(
      Facts("input_commit", {{"tag_name", "input"}, {"name", "vendor_name"}}, {{"input_value", "x"}}));
  EXPECT_EQ(n.field_label, "Vendor name");
}

TEST(LocalLabel, NavigationUsesThePageTitleAndNothingBecomesAGenericLabel) {
  auto nav = LocalLabel(
      Facts("navigate", {{"tag_name", "a"}}, nullptr, {{"title", "Invoices"}, {"url", "https://x/inv"}}));
  EXPECT_EQ(nav.instruction, "Go to the \u201cInvoices\u201d page.");
  auto none = LocalLabel(Facts("click", {{"tag_name", "div"}}));
  EXPECT_EQ(none.field_label, "Element");
  EXPECT_LT(none.confidence, 0.5);
}

TEST(ParseLabel, FindsTheJsonInFencesAndProse) {
  auto a = ParseLabel(
      "```json\n{\"field_label\":\"Email\",\"instruction\":\"Type it.\",\"confidence\":85}\n```", "m");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->field_label, "Email");
  EXPECT_DOUBLE_EQ(a->confidence, 0.85);
  auto b = ParseLabel(
      "Sure! Here it is: {\"field_label\":\"X\",\"instruction\":\"Y\",\"confidence\":0.4} Hope that helps",
      "m");
  ASSERT_TRUE(b);
  EXPECT_DOUBLE_EQ(b->confidence, 0.4);
  EXPECT_FALSE(ParseLabel("{\"field_label\":5,\"instruction\":\"Y\",\"confidence\":1}", "m"));
  EXPECT_FALSE(ParseLabel("{\"field_label\":\"X\",\"instruction\":\"Y\",\"confidence\":\"high\"}", "m"));
  EXPECT_FALSE(ParseLabel("no json at all", "m"));
  auto long_label = ParseLabel(
      "{\"field_label\":\"" + std::string(300, 'a') + "\",\"instruction\":\"Y\",\"confidence\":1}", "m");
  ASSERT_TRUE(long_label);
  EXPECT_EQ(long_label->field_label.size(), 99u + 3u);  // 99 characters and the ellipsis (3 bytes)
}

TEST(Vendors, StatusesMapToRetryOrNext) {
  try {
    InterpretAnthropic(529, "{\"type\":\"error\"}", 1500);
    FAIL();
  } catch (const ProviderError& e) {
    EXPECT_EQ(e.kind(), ProviderError::Kind::kRetryable);
    EXPECT_EQ(e.retry_after_ms(), 1500);
  }
  try {
    InterpretOpenAI(401, "{}", -1);
    FAIL();
  } catch (const ProviderError& e) {
    EXPECT_EQ(e.kind(), ProviderError::Kind::kFatal);
  }
  try {
    InterpretAnthropic(200, "{\"content\":[],\"stop_reason\":\"refusal\"}", -1);
    FAIL();
  } catch (const ProviderError& e) {
    EXPECT_EQ(e.kind(), ProviderError::Kind::kRefused);
  }
  EXPECT_EQ(InterpretOpenAI(200, R"({"choices":[{"message":{"content":"hi","refusal":null}}]})", -1), "hi");
  EXPECT_EQ(
      InterpretAnthropic(200, R"({"content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]})", -1),
      "ab");
}

}  // namespace
}  // namespace stepwise::ai
