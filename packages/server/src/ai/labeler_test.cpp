#include "ai/labeler.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "ai/chain.hpp"
#include "ai/slots.hpp"
#include "ai/vendors.hpp"
#include "core/errors.hpp"

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

// The label templates per value kind: only a fixed value is ever quoted.
struct KindCase {
  const char* name;
  const char* action;
  json meta;
  json data;
  const char* instruction;
  const char* field_label;  // nullptr: not checked
};

class ValueKindTemplates : public ::testing::TestWithParam<KindCase> {};

TEST_P(ValueKindTemplates, WriteTheInstructionForWhoseValueItIs) {
  const auto& c = GetParam();
  const auto l = LocalLabel(
      Facts(c.action, c.meta, c.data, {{"title", "My page title"}, {"url", "https://a.example/p"}}));
  EXPECT_EQ(l.instruction, c.instruction);
  if (c.field_label != nullptr) EXPECT_EQ(l.field_label, c.field_label);
  // Whatever the admin typed in a personal or free step, or the text an earlier value shows,
  // appears nowhere in the words.
  const std::string kind = c.data.is_object() ? c.data.value("value_kind", std::string()) : std::string();
  if (kind == "personal" || kind == "free") {
    const json& value = c.data["input_value"];
    const std::string typed = value.is_string() ? value.get<std::string>() : "\x01";
    EXPECT_EQ(l.instruction.find(typed), std::string::npos) << typed;
    EXPECT_EQ(l.field_label.find(typed), std::string::npos) << typed;
  }
}

const json kUser = {{"tag_name", "input"}, {"type", "text"}, {"label_text", "Username"}};
const json kTitle = {{"tag_name", "input"}, {"type", "text"}, {"label_text", "Title"}};
const json kVat = {{"tag_name", "input"}, {"type", "text"}, {"label_text", "VAT ID"}};

INSTANTIATE_TEST_SUITE_P(
    LocalLabel, ValueKindTemplates,
    ::testing::Values(KindCase{"personal",
                               "input_commit",
                               kUser,
                               {{"input_value", "ada.admin"}, {"value_kind", "personal"}},
                               "Enter your username.",
                               "Username"},
                      KindCase{"personal_acronym",
                               "input_commit",
                               kVat,
                               {{"input_value", "DE123"}, {"value_kind", "personal"}},
                               "Enter your VAT ID.",
                               "VAT ID"},
                      KindCase{"personal_unnamed",
                               "input_commit",
                               {{"tag_name", "input"}},
                               {{"input_value", "ada"}, {"value_kind", "personal"}},
                               "Enter your own value in the Field on My page title.",
                               nullptr},
                      KindCase{"masked_defaults_to_personal",
                               "input_commit",
                               {{"tag_name", "input"}, {"type", "text"}, {"label_text", "Card number"}},
                               {{"input_value", nullptr}, {"value_masked", true}},
                               "Enter your card number.",
                               nullptr},
                      KindCase{"masked_but_fixed",
                               "input_commit",
                               {{"tag_name", "input"}, {"label_text", "Code"}},
                               {{"input_value", nullptr}, {"value_masked", true}, {"value_kind", "fixed"}},
                               "Enter the value in the Code field.",
                               nullptr},
                      KindCase{"password_stays",
                               "input_commit",
                               {{"tag_name", "input"}, {"type", "password"}, {"label_text", "Password"}},
                               {{"input_value", nullptr}, {"value_masked", true}, {"value_kind", "personal"}},
                               "Enter your password in the Password field.",
                               nullptr},
                      KindCase{"free",
                               "input_commit",
                               kTitle,
                               {{"input_value", "Q3 launch plan"}, {"value_kind", "free"}},
                               "Type the title you want.",
                               "Title"},
                      KindCase{"free_textarea",
                               "input_commit",
                               {{"tag_name", "textarea"}, {"label_text", "Description"}},
                               {{"input_value", "A long text the admin wrote"}, {"value_kind", "free"}},
                               "Type the description you want.",
                               nullptr},
                      KindCase{"free_search",
                               "input_commit",
                               {{"tag_name", "input"}, {"type", "search"}, {"aria_label", "Search"}},
                               {{"input_value", "invoices march"}, {"value_kind", "free"}},
                               "Type what you are looking for in the Search field.",
                               nullptr},
                      KindCase{"fixed_quotes",
                               "input_commit",
                               {{"tag_name", "input"}, {"label_text", "Quantity"}},
                               {{"input_value", "12"}, {"value_kind", "fixed"}},
                               "Enter \u201c12\u201d in the Quantity field.",
                               nullptr},
                      KindCase{"absent_is_fixed",
                               "input_commit",
                               {{"tag_name", "input"}, {"label_text", "Quantity"}},
                               {{"input_value", "12"}},
                               "Enter \u201c12\u201d in the Quantity field.",
                               nullptr},
                      KindCase{"personal_select",
                               "select_change",
                               {{"tag_name", "select"}, {"label_text", "Country"}},
                               {{"input_value", "Iceland"}, {"value_kind", "personal"}},
                               "Choose your country in the Country dropdown.",
                               nullptr},
                      KindCase{"free_select",
                               "select_change",
                               {{"tag_name", "select"}, {"label_text", "Colour"}},
                               {{"input_value", "Teal"}, {"value_kind", "free"}},
                               "Choose an option in the Colour dropdown.",
                               nullptr},
                      KindCase{"fixed_select",
                               "select_change",
                               {{"tag_name", "select"}, {"label_text", "Colour"}},
                               {{"input_value", "Teal"}, {"value_kind", "fixed"}},
                               "Select \u201cTeal\u201d in the Colour dropdown.",
                               nullptr},
                      KindCase{"link_to_earlier_value",
                               "click",
                               {{"tag_name", "a"}, {"inner_text", "Q3 launch plan"}},
                               {{"value_from", 3}},
                               "Open the page you just created.",
                               "The page you created"},
                      KindCase{"row_with_earlier_value",
                               "click",
                               {{"tag_name", "div"}, {"inner_text", "Q3 launch plan"}},
                               {{"value_from", 3}},
                               "Click the item you just created.",
                               "The item you created"},
                      KindCase{"option_with_earlier_value",
                               "select_change",
                               {{"tag_name", "select"}, {"label_text", "Project"}},
                               {{"input_value", "Q3 launch plan"}, {"value_from", 3}},
                               "Choose the one you just created in the Project dropdown.",
                               "Project"},
                      KindCase{"navigate_to_earlier_value",
                               "navigate",
                               json::object(),
                               {{"value_from", 3}},
                               "Go to the page you just created.",
                               "The page you created"}),
    [](const ::testing::TestParamInfo<KindCase>& info) { return std::string(info.param.name); });

TEST(BuildPrompt, NeverShowsAPersonalOrFreeValueOrTheTextAnEarlierValueShows) {
  const auto personal =
      BuildPrompt(Facts("input_commit", kUser, {{"input_value", "ada.admin"}, {"value_kind", "personal"}}));
  EXPECT_EQ(personal.find("ada.admin"), std::string::npos);
  EXPECT_NE(personal.find("Enter your"), std::string::npos);
  const auto free =
      BuildPrompt(Facts("input_commit", kTitle, {{"input_value", "Q3 launch plan"}, {"value_kind", "free"}}));
  EXPECT_EQ(free.find("Q3 launch plan"), std::string::npos);
  const auto fixed =
      BuildPrompt(Facts("input_commit", kTitle, {{"input_value", "PO-7"}, {"value_kind", "fixed"}}));
  EXPECT_NE(fixed.find("VALUE: PO-7"), std::string::npos);
  const auto link = BuildPrompt(Facts("click", {{"tag_name", "a"}, {"inner_text", "Q3 launch plan"}},
                                      {{"value_from", 2}}, {{"title", "Q3 launch plan - Docs"}}));
  EXPECT_EQ(link.find("Q3 launch plan"), std::string::npos);
  EXPECT_NE(link.find("just created"), std::string::npos);
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

// Always busy: every answer is a 429 asking to come back in a minute.
class BusyVendor : public Provider {
 public:
  std::string Ask(const AskRequest&) override {
    ++asked;
    throw ProviderError(ProviderError::Kind::kRetryable, "429", 60000);
  }
  std::string Name() const override { return "busy"; }
  std::atomic<int> asked{0};
};

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST(Slots, StopEndsAWaitingAcquireWithInterrupted) {
  auto slots = MakeLocalSlots(1);
  const std::string held = slots->Acquire(1000);
  ASSERT_FALSE(held.empty());
  EXPECT_EQ(slots->Acquire(10), "");  // none free: "" after the wait
  const auto start = std::chrono::steady_clock::now();
  auto waiter = std::async(std::launch::async, [&] { return slots->Acquire(60000); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  slots->Stop();
  EXPECT_THROW(waiter.get(), core::Interrupted);
  EXPECT_LT(SecondsSince(start), 10.0);
  EXPECT_THROW(slots->Acquire(0), core::Interrupted);
  slots->Release(held);
}

TEST(LabelChain, StopEndsTheWaitBetweenAttemptsAndThrowsInsteadOfAFallbackLabel) {
  auto slots = MakeLocalSlots(5);
  std::vector<std::unique_ptr<Provider>> vendors;
  auto busy = std::make_unique<BusyVendor>();
  BusyVendor* vendor = busy.get();
  vendors.push_back(std::move(busy));
  LabelChain chain(std::move(vendors), *slots, ChainOptions{3, 60000, 120000, 60000});
  LabelRequest request{Facts("click", {{"tag_name", "button"}, {"text", "Save"}}), std::nullopt};
  const auto start = std::chrono::steady_clock::now();
  auto run = std::async(std::launch::async, [&] { return chain.Run(request); });
  while (vendor->asked.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  chain.Stop();
  EXPECT_THROW(run.get(), core::Interrupted);
  EXPECT_LT(SecondsSince(start), 10.0);  // not the minute the vendor asked for
  EXPECT_EQ(vendor->asked.load(), 1);
}

TEST(LabelChain, WithoutStopAFailingVendorEndsInTheFallbackLabel) {
  auto slots = MakeLocalSlots(5);
  std::vector<std::unique_ptr<Provider>> vendors;
  vendors.push_back(std::make_unique<BusyVendor>());
  // retry-after (60 s) is longer than the chain waits (max_wait 1 s): the next vendor, none left.
  LabelChain chain(std::move(vendors), *slots, ChainOptions{3, 1, 1000, 1000});
  const auto result =
      chain.Run(LabelRequest{Facts("click", {{"tag_name", "button"}, {"text", "Save"}}), std::nullopt});
  EXPECT_TRUE(result.fallback);
  EXPECT_FALSE(result.label.field_label.empty());
  ASSERT_EQ(result.errors.size(), 1U);
}

}  // namespace
}  // namespace stepwise::ai
