#include "services/export.hpp"
#include "services/recorder_selectors.hpp"

#include <gtest/gtest.h>

#include "services/import.hpp"

namespace stepwise::services {
namespace {

using nlohmann::json;

storage::StepRecord Step(int64_t n, const std::string& action, json selectors, json meta, json action_data,
                         const std::string& url = "https://app.example.com/form") {
  storage::StepRecord s;
  s.id = 100 + n;
  s.step_number = n;
  s.action_type = action;
  s.selectors_json = selectors.dump();
  s.element_meta_json = meta.dump();
  s.page_context_json =
      json{{"url", url}, {"title", "Form"}, {"viewport", {{"width", 1024}, {"height", 700}}}}.dump();
  if (!action_data.is_null()) s.action_data_json = action_data.dump();
  return s;
}

json ButtonSelectors(int n) {
  return {{"primary", "[data-testid=\"btn-" + std::to_string(n) + "\"]"},
          {"css", "#b" + std::to_string(n)},
          {"xpath", "/html/body/button[" + std::to_string(n) + "]"},
          {"data_testid", "btn-" + std::to_string(n)},
          {"stable_attrs", {{"id", "b" + std::to_string(n)}}},
          {"aria", "aria/Save[role=\"button\"]"}};
}

WorkflowDetail Sample() {
  WorkflowDetail d;
  d.workflow.id = 7;
  d.workflow.name = "Pay <script>alert(1)</script> invoice";
  d.workflow.description = "Uses <img src=x onerror=alert(2)>";
  d.workflow.starting_url = "https://app.example.com/form";
  d.steps.push_back(Step(1, "navigate", json::object(), {{"tag_name", "HTML"}}, nullptr));
  auto click =
      Step(2, "click", ButtonSelectors(2),
           {{"tag_name", "button"}, {"bounding_box", {{"x", 10}, {"y", 20}, {"width", 100}, {"height", 30}}}},
           {{"click_coordinates", {{"x", 30}, {"y", 25}}}});
  click.field_label = "<b>Save</b>";
  click.instruction = "Click <img src=x onerror=alert(3)> now";
  click.screenshot_id = 55;
  d.steps.push_back(click);
  d.steps.push_back(Step(3, "input_commit", {{"primary", "#email"}, {"css", "#email"}},
                         {{"tag_name", "input"}, {"type", "email"}}, {{"input_value", "ada@example.com"}}));
  d.steps.push_back(Step(4, "input_commit", {{"primary", "#pw"}, {"css", "#pw"}},
                         {{"tag_name", "input"}, {"type", "password"}, {"value_masked", true}},
                         {{"input_value", nullptr}, {"value_masked", true}}));
  d.steps.push_back(Step(5, "select_change", {{"primary", "#country"}, {"css", "select#country"}},
                         {{"tag_name", "select"}}, {{"input_value", "France"}}));
  d.steps.push_back(Step(6, "submit", {{"primary", "#pw"}, {"css", "#pw"}}, {{"tag_name", "input"}},
                         {{"submit_key", "enter"}}));
  return d;
}

TEST(ExportFormat, Parses) {
  EXPECT_EQ(ParseExportFormat("devtools"), ExportFormat::kDevtools);
  EXPECT_EQ(ParseExportFormat("html"), ExportFormat::kHtml);
  EXPECT_FALSE(ParseExportFormat("pdf"));
  EXPECT_FALSE(ParseExportFormat(""));
}

TEST(ExportSelectors, RecorderOrderAndForms) {
  const auto sel = RecorderSelectors(ButtonSelectors(2));
  ASSERT_EQ(sel.size(), 4u);
  EXPECT_EQ(sel[0], std::vector<std::string>{"aria/Save[role=\"button\"]"});
  EXPECT_EQ(sel[1], std::vector<std::string>{"[data-testid=\"btn-2\"]"});
  EXPECT_EQ(sel[2], std::vector<std::string>{"#b2"});
  EXPECT_EQ(sel[3], std::vector<std::string>{"xpath//html/body/button[2]"});
}

TEST(ExportSelectors, ShadowChainAndLimits) {
  json s = {{"primary", "#x"}, {"shadow_chain", {"my-app", "#inner"}}, {"pierce", "pierce/#inner"}};
  auto sel = RecorderSelectors(s);
  ASSERT_EQ(sel.size(), 2u);
  EXPECT_EQ(sel[0], (std::vector<std::string>{"my-app", "#inner"}));
  EXPECT_EQ(sel[1], std::vector<std::string>{"pierce/#inner"});
  // An XPath at our 2,000-character bound no longer fits the Recorder's with its prefix.
  json long_xpath = {{"xpath", "/" + std::string(1999, 'a')}};
  EXPECT_TRUE(RecorderSelectors(long_xpath).empty());
  EXPECT_TRUE(RecorderSelectors(json::object()).empty());
  EXPECT_TRUE(RecorderSelectors(json(nullptr)).empty());
}

TEST(ExportDevtools, ShapeAndSteps) {
  const json r = DevtoolsRecording(Sample());
  EXPECT_EQ(r["title"], "Pay <script>alert(1)</script> invoice");
  const json& steps = r["steps"];
  ASSERT_EQ(steps.size(), 8u) << steps.dump(2);
  EXPECT_EQ(steps[0]["type"], "setViewport");
  EXPECT_EQ(steps[0]["width"], 1024);
  // The recorded first navigate is the start: no second one.
  EXPECT_EQ(steps[1]["type"], "navigate");
  EXPECT_EQ(steps[1]["url"], "https://app.example.com/form");
  EXPECT_EQ(steps[2]["type"], "click");
  EXPECT_EQ(steps[2]["offsetX"], 20.0);
  EXPECT_EQ(steps[2]["offsetY"], 5.0);
  EXPECT_EQ(steps[3]["type"], "change");
  EXPECT_EQ(steps[3]["value"], "ada@example.com");
  EXPECT_EQ(steps[4]["value"], "<password>");
  EXPECT_EQ(steps[5]["value"], "France");
  EXPECT_EQ(steps[6]["type"], "keyDown");
  EXPECT_EQ(steps[6]["key"], "Enter");
  EXPECT_EQ(steps[7]["type"], "keyUp");
}

TEST(ExportDevtools, NavigatesToStartWhenNotRecorded) {
  WorkflowDetail d = Sample();
  d.steps.erase(d.steps.begin());
  const json r = DevtoolsRecording(d);
  EXPECT_EQ(r["steps"][1]["type"], "navigate");
  EXPECT_EQ(r["steps"][1]["url"], d.workflow.starting_url);
}

TEST(ExportDevtools, MaskedWithoutFlagIsNeverInvented) {
  WorkflowDetail d = Sample();
  d.steps[2].action_data_json = json{{"input_value", nullptr}}.dump();
  const json r = DevtoolsRecording(d);
  EXPECT_EQ(r["steps"][3]["value"], "<masked>");
  // A flag on the element masks even a value that came along.
  d.steps[2].action_data_json = json{{"input_value", "secret"}}.dump();
  d.steps[2].element_meta_json = json{{"tag_name", "input"}, {"value_masked", true}}.dump();
  EXPECT_EQ(DevtoolsRecording(d).dump().find("secret"), std::string::npos);
}

TEST(ExportDevtools, RoundTripsThroughImport) {
  const WorkflowDetail d = Sample();
  const auto imported = WorkflowFromRecording(DevtoolsRecording(d));
  const json& steps = imported.body["steps"];
  ASSERT_EQ(steps.size(), d.steps.size()) << steps.dump(2);
  EXPECT_EQ(imported.body["metadata"]["starting_url"], d.workflow.starting_url);
  EXPECT_EQ(steps[0]["action_type"], "navigate");
  EXPECT_EQ(steps[1]["action_type"], "click");
  EXPECT_EQ(steps[1]["selectors"]["aria"], "aria/Save[role=\"button\"]");
  EXPECT_EQ(steps[1]["selectors"]["data_testid"], "btn-2");
  EXPECT_EQ(steps[2]["action_data"]["input_value"], "ada@example.com");
  // The placeholder comes back masked, not as a value.
  EXPECT_TRUE(steps[3]["action_data"]["input_value"].is_null());
  EXPECT_EQ(steps[3]["action_data"]["value_masked"], true);
  EXPECT_EQ(steps[4]["action_type"], "select_change");
  EXPECT_EQ(steps[5]["action_type"], "submit");
}

TEST(ExportDevtools, SelectKeepsItsTagForTheImport) {
  WorkflowDetail d = Sample();
  d.steps[4].selectors_json = json{{"primary", "#country"}, {"css", "#country"}}.dump();
  const json r = DevtoolsRecording(d);
  EXPECT_EQ(r["steps"][5]["selectors"], json::parse(R"([["#country"], ["select#country"]])"));
  EXPECT_EQ(WorkflowFromRecording(r).body["steps"][4]["action_type"], "select_change");
}

storage::VariantRecord Variant(int64_t id, int64_t step_id, const std::string& status, json selectors,
                               bool preferred = false) {
  storage::VariantRecord v;
  v.id = id;
  v.step_id = step_id;
  v.selector = selectors["primary"].get<std::string>();
  v.selectors_json = selectors.dump();
  v.source = "healed";
  v.status = status;
  v.preferred = preferred;
  v.method = "deterministic";
  return v;
}

// Step 2 (id 102) with a preferred shared variant, another shared one, and a pending one.
WorkflowDetail WithVariants() {
  WorkflowDetail d = Sample();
  d.variants[102] = {Variant(1, 102, "shared", {{"primary", "#new-save"}, {"css", "button.save"}}, true),
                     Variant(2, 102, "shared", {{"primary", "[data-qa=\"save\"]"}}),
                     Variant(3, 102, "pending", {{"primary", "#pending-only"}})};
  return d;
}

TEST(ExportDevtools, SharedVariantsFollowTheRecordedSelectors) {
  const json r = DevtoolsRecording(WithVariants());
  EXPECT_EQ(r["steps"][2]["selectors"],
            json::parse(R"([["aria/Save[role=\"button\"]"], ["[data-testid=\"btn-2\"]"], ["#b2"],
                            ["xpath//html/body/button[2]"], ["#new-save"], ["button.save"],
                            ["[data-qa=\"save\"]"]])"))
      << r["steps"][2]["selectors"].dump();
  EXPECT_EQ(r.dump().find("#pending-only"), std::string::npos);
}

TEST(ExportDevtools, VariantsStayWithinTheRecordersCap) {
  WorkflowDetail d = Sample();
  for (int i = 0; i < 30; ++i)
    d.variants[102].push_back(Variant(i + 1, 102, "shared", {{"primary", "#v" + std::to_string(i)}}));
  const json r = DevtoolsRecording(d);
  EXPECT_EQ(r["steps"][2]["selectors"].size(), 20u);
  EXPECT_EQ(r["steps"][2]["selectors"][4], json::array({"#v0"}));
}

TEST(ExportDevtools, VariantsRoundTripThroughImportAsVariants) {
  const auto imported = WorkflowFromRecording(DevtoolsRecording(WithVariants()));
  const json& click = imported.body["steps"][1];
  // The recorded selectors come back as they were ...
  EXPECT_EQ(click["selectors"]["primary"], "[data-testid=\"btn-2\"]");
  EXPECT_EQ(click["selectors"]["css"], "#b2");
  EXPECT_EQ(click["selectors"]["xpath"], "/html/body/button[2]");
  // ... and the shared variants' as variants of that step.
  std::vector<std::string> selectors;
  for (const auto& v : imported.variants) {
    EXPECT_EQ(v.step_number, 2);
    selectors.push_back(v.selector);
    EXPECT_EQ(json::parse(v.selectors_json)["primary"], v.selector);
  }
  EXPECT_EQ(selectors, (std::vector<std::string>{"#new-save", "button.save", "[data-qa=\"save\"]"}));
}

TEST(ExportPlaywright, SharedVariantsAreAlternatives) {
  const std::string js = PlaywrightScript(WithVariants());
  EXPECT_NE(js.find("await page.locator(\"[data-testid=\\\"btn-2\\\"]\").or(page.locator(\"#new-save\"))"
                    ".or(page.locator(\"[data-qa=\\\"save\\\"]\")).first().click();"),
            std::string::npos)
      << js;
  EXPECT_EQ(js.find("#pending-only"), std::string::npos);
}

TEST(ExportPlaywright, Script) {
  const std::string js = PlaywrightScript(Sample());
  EXPECT_NE(js.find("import { test } from '@playwright/test';"), std::string::npos);
  EXPECT_NE(js.find("test(\"Pay <script>alert(1)</script> invoice\", async ({ page }) => {"),
            std::string::npos)
      << js;
  EXPECT_NE(js.find("await page.locator(\"[data-testid=\\\"btn-2\\\"]\").click();"), std::string::npos) << js;
  EXPECT_NE(js.find(".fill(\"ada@example.com\")"), std::string::npos);
  EXPECT_NE(js.find(".fill(\"<password>\"); // sensitive value not recorded"), std::string::npos) << js;
  EXPECT_NE(js.find(".selectOption({ label: \"France\" })"), std::string::npos);
  EXPECT_NE(js.find(".press('Enter')"), std::string::npos);
  EXPECT_EQ(js.find("page.goto(\"https://app.example.com/form\")"),
            js.rfind("page.goto(\"https://app.example.com/form\")"));
}

TEST(ExportPlaywright, CommentsCannotBreakOut) {
  WorkflowDetail d = Sample();
  d.steps[1].field_label = "x\nawait evil();\u2028more";
  const std::string js = PlaywrightScript(d);
  EXPECT_EQ(js.find("\nawait evil()"), std::string::npos);
  EXPECT_EQ(js.find("\u2028"), std::string::npos);
}

TEST(ExportPlaywright, Locators) {
  EXPECT_EQ(PlaywrightLocator({{"primary", "aria/Save[role=\"button\"]"}}),
            "page.getByRole(\"button\", { name: \"Save\", exact: true })");
  EXPECT_EQ(PlaywrightLocator({{"primary", nullptr}, {"xpath", "//div[1]"}}),
            "page.locator(\"xpath=//div[1]\")");
  EXPECT_EQ(PlaywrightLocator({{"primary", "#a"}, {"frame_path", {"iframe#f"}}}),
            "page.frameLocator(\"iframe#f\").locator(\"#a\")");
  EXPECT_EQ(PlaywrightLocator({{"shadow_chain", {"my-app", "#b"}}}),
            "page.locator(\"my-app\").locator(\"#b\")");
  EXPECT_EQ(PlaywrightLocator(json::object()), "");
}

// A form inside frames and shadow roots: a click in the second frame of the page, a field in a
// frame nested in it, a frame inside a shadow root (recorded as pierce/), a field in an open root
// of that frame, then a closed root's button, its field and its list, and Enter in that field.
WorkflowDetail Framed() {
  WorkflowDetail d = Sample();
  d.steps.resize(1);
  const json meta = {{"tag_name", "button"},
                     {"bounding_box", {{"x", 10}, {"y", 20}, {"width", 100}, {"height", 30}}}};
  d.steps.push_back(Step(2, "click",
                         {{"primary", "#save"},
                          {"css", "#save"},
                          {"frame_path", {"#content-frame"}},
                          {"frame_urls", {"https://app.example.com/frame"}},
                          {"frame_index", {1}}},
                         meta, {{"click_coordinates", {{"x", 30}, {"y", 25}}}}));
  d.steps.push_back(Step(3, "input_commit",
                         {{"primary", "#email"},
                          {"css", "#email"},
                          {"frame_path", {"#content-frame", "iframe.inner"}},
                          {"frame_index", {1, 0}}},
                         {{"tag_name", "input"}}, {{"input_value", "ada@example.com"}}));
  d.steps.push_back(Step(4, "click",
                         {{"primary", "pierce/#go"},
                          {"pierce", "pierce/#go"},
                          {"shadow_chain", {"x-panel", "#go"}},
                          {"frame_path", {"pierce/iframe#widget"}},
                          {"frame_index", {0}}},
                         meta, nullptr));
  const json closed = {{"primary", "pierce/button"},
                       {"shadow_chain", {"x-shop", "pay-button", "button"}},
                       {"in_closed_shadow", true}};
  d.steps.push_back(Step(5, "click", closed, meta, nullptr));
  d.steps.push_back(Step(6, "input_commit",
                         {{"primary", "pierce/input"},
                          {"shadow_chain", {"x-shop", "coupon-box", "input"}},
                          {"in_closed_shadow", true}},
                         {{"tag_name", "input"}}, {{"input_value", "WINTER10"}}));
  d.steps.push_back(Step(7, "select_change",
                         {{"primary", "pierce/select"},
                          {"shadow_chain", {"x-shop", "ship-box", "select"}},
                          {"in_closed_shadow", true}},
                         {{"tag_name", "select"}}, {{"input_value", "Express"}}));
  d.steps.push_back(Step(8, "submit",
                         {{"primary", "pierce/input"},
                          {"shadow_chain", {"x-shop", "coupon-box", "input"}},
                          {"in_closed_shadow", true}},
                         {{"tag_name", "input"}}, {{"submit_key", "enter"}}));
  return d;
}

TEST(ExportDevtools, FramedStepsSayWhichFrame) {
  const json r = DevtoolsRecording(Framed());
  const json& steps = r["steps"];
  ASSERT_EQ(steps.size(), 10u) << steps.dump(2);
  EXPECT_FALSE(steps[1].contains("frame"));  // navigate
  EXPECT_EQ(steps[2]["frame"], json::array({1})) << steps[2].dump();
  EXPECT_EQ(steps[2]["target"], "main");
  EXPECT_EQ(steps[3]["type"], "change");
  EXPECT_EQ(steps[3]["frame"], json::array({1, 0}));
  EXPECT_EQ(steps[4]["frame"], json::array({0}));
  EXPECT_EQ(steps[4]["selectors"][0], json::array({"x-panel", "#go"}));
  // Steps of the top document have no frame.
  for (size_t i = 5; i < steps.size(); ++i) EXPECT_FALSE(steps[i].contains("frame")) << steps[i].dump();
}

TEST(ExportDevtools, FrameOnlyFromAValidIndex) {
  WorkflowDetail d = Framed();
  d.steps.resize(2);
  auto frame_of = [&](const json& selectors) {
    d.steps[1].selectors_json = selectors.dump();
    const json step = DevtoolsRecording(d)["steps"][2];
    return step.value("frame", json());
  };
  // A frame known by its selector only (recorded before frame_index) cannot be written.
  EXPECT_TRUE(frame_of({{"primary", "#save"}, {"frame_path", {"#content-frame"}}}).is_null());
  EXPECT_TRUE(frame_of({{"primary", "#save"}, {"frame_index", json::array()}}).is_null());
  EXPECT_TRUE(frame_of({{"primary", "#save"}, {"frame_index", {1, -1}}}).is_null());
  EXPECT_TRUE(frame_of({{"primary", "#save"}, {"frame_index", {1001}}}).is_null());
  EXPECT_TRUE(frame_of({{"primary", "#save"}, {"frame_index", {"1"}}}).is_null());
  EXPECT_TRUE(frame_of({{"primary", "#save"}, {"frame_index", std::vector<int>(11, 0)}}).is_null());
  EXPECT_EQ(frame_of({{"primary", "#save"}, {"frame_index", std::vector<int>(10, 1000)}}),
            json(std::vector<int>(10, 1000)));
}

TEST(ExportDevtools, FrameRoundTripsThroughImportAsFrameIndex) {
  const auto imported = WorkflowFromRecording(DevtoolsRecording(Framed()));
  const json& steps = imported.body["steps"];
  ASSERT_EQ(steps.size(), 8u) << steps.dump(2);
  EXPECT_EQ(steps[1]["selectors"]["frame_index"], json::array({1}));
  EXPECT_EQ(steps[2]["selectors"]["frame_index"], json::array({1, 0}));
  EXPECT_EQ(steps[3]["selectors"]["frame_index"], json::array({0}));
  // The recording names no frame's selector: frame_path stays unknown.
  for (const auto& s : steps) EXPECT_TRUE(s["selectors"].value("frame_path", json()).is_null()) << s.dump();
  EXPECT_FALSE(steps[4]["selectors"].contains("frame_index"));
  // An element in shadow roots is what the chain's last part names, not its first host.
  EXPECT_EQ(steps[4]["element_meta"]["tag_name"], "button");
  EXPECT_EQ(steps[6]["action_type"], "select_change");
  // Enter in the field a framed change filled is in that frame too.
  WorkflowDetail d = Framed();
  d.steps.resize(3);
  d.steps.push_back(Step(4, "submit", json::parse(d.steps[2].selectors_json), {{"tag_name", "input"}},
                         {{"submit_key", "enter"}}));
  const json again = WorkflowFromRecording(DevtoolsRecording(d)).body["steps"];
  EXPECT_EQ(again[3]["action_type"], "submit");
  EXPECT_EQ(again[3]["selectors"]["frame_index"], json::array({1, 0}));
  // And the copy exports the same frames.
  WorkflowDetail copy = Framed();
  for (size_t i = 0; i < steps.size(); ++i) copy.steps[i].selectors_json = steps[i]["selectors"].dump();
  const json r = DevtoolsRecording(copy);
  EXPECT_EQ(r["steps"][2]["frame"], json::array({1}));
  EXPECT_EQ(r["steps"][3]["frame"], json::array({1, 0}));
}

TEST(ExportPlaywright, FramesAndOpenShadowRoots) {
  const std::string js = PlaywrightScript(Framed());
  EXPECT_NE(js.find("await page.frameLocator(\"#content-frame\").locator(\"#save\").click();"),
            std::string::npos)
      << js;
  EXPECT_NE(js.find("await page.frameLocator(\"#content-frame\").frameLocator(\"iframe.inner\")"
                    ".locator(\"#email\").fill(\"ada@example.com\");"),
            std::string::npos)
      << js;
  // A frame in a shadow root and an element in an open root of it: no pierce/ left for Playwright.
  EXPECT_NE(
      js.find("await page.frameLocator(\"iframe#widget\").locator(\"x-panel\").locator(\"#go\").click();"),
      std::string::npos)
      << js;
  EXPECT_EQ(js.find("pierce/"), std::string::npos) << js;
}

TEST(ExportPlaywright, ClosedShadowRootsThroughTheirHost) {
  const std::string js = PlaywrightScript(Framed());
  // A click: the centre of the closed root's host, said so.
  const auto click = js.find("await page.locator(\"x-shop\").locator(\"pay-button\").click();");
  ASSERT_NE(click, std::string::npos) << js;
  const auto note = js.rfind("// Playwright cannot enter closed shadow roots", click);
  ASSERT_NE(note, std::string::npos);
  EXPECT_GT(note, js.find("// 5. "));
  // A field: the host clicked, the value typed.
  EXPECT_NE(js.find("  await page.locator(\"x-shop\").locator(\"coupon-box\").click();\n"
                    "  await page.keyboard.press('ControlOrMeta+A');\n"
                    "  await page.keyboard.type(\"WINTER10\");\n"),
            std::string::npos)
      << js;
  // A list: nothing a test can do, said so, and no call that pretends.
  EXPECT_NE(js.find("Not done here: choose \"Express\" in it"), std::string::npos) << js;
  EXPECT_EQ(js.find("selectOption"), std::string::npos) << js;
  EXPECT_EQ(js.find("locator(\"ship-box\").click()"), std::string::npos) << js;
  // Enter: in the field the step before focused.
  const auto enter = js.find("// 8. ");
  ASSERT_NE(enter, std::string::npos);
  EXPECT_NE(js.find("await page.keyboard.press('Enter');", enter), std::string::npos) << js;
  // Never the element itself, which Playwright cannot reach.
  EXPECT_EQ(js.find("locator(\"pay-button\").locator(\"button\")"), std::string::npos) << js;
}

TEST(ExportPlaywright, ClosedShadowRootWithoutAChainIsSaidSo) {
  WorkflowDetail d = Sample();
  d.steps.resize(2);
  d.steps[1].selectors_json = json{{"primary", "pierce/#pay"}, {"in_closed_shadow", true}}.dump();
  const std::string js = PlaywrightScript(d);
  EXPECT_NE(js.find("this element is inside one: the locator\n  // below will not find it."),
            std::string::npos)
      << js;
  EXPECT_NE(js.find("await page.locator(\"#pay\").click();"), std::string::npos) << js;
}

TEST(ExportPlaywright, FrameLocators) {
  EXPECT_EQ(PlaywrightFrame(json::object()), "page");
  EXPECT_EQ(PlaywrightFrame({{"frame_path", {"pierce/iframe#w", "#inner"}}, {"frame_index", {3, 4}}}),
            "page.frameLocator(\"iframe#w\").frameLocator(\"#inner\")");
  // Known by index only (an imported recording): the n-th iframe.
  EXPECT_EQ(PlaywrightFrame({{"frame_path", nullptr}, {"frame_index", {1, 0}}}),
            "page.frameLocator(\"iframe\").nth(1).frameLocator(\"iframe\").nth(0)");
  EXPECT_EQ(PlaywrightLocator({{"primary", "#a"}, {"frame_index", {2}}}),
            "page.frameLocator(\"iframe\").nth(2).locator(\"#a\")");
  EXPECT_EQ(PlaywrightHostLocator({{"shadow_chain", {"a-b", "c-d", "#e"}}, {"frame_path", {"#f"}}}),
            "page.frameLocator(\"#f\").locator(\"a-b\").locator(\"c-d\")");
  EXPECT_EQ(PlaywrightHostLocator({{"primary", "#e"}}), "");
}

TEST(ExportPlaywright, VariantsWithoutAFrameAreInTheSteps) {
  WorkflowDetail d = Framed();
  d.steps.resize(2);
  // A variant from a cross-origin frame does not know its frame; one from a renamed frame does.
  d.variants[102] = {
      Variant(1, 102, "shared", {{"primary", "#send"}}),
      Variant(2, 102, "shared", {{"primary", "#save2"}, {"frame_path", {"iframe[name=app]"}}})};
  const std::string js = PlaywrightScript(d);
  EXPECT_NE(js.find("await page.frameLocator(\"#content-frame\").locator(\"#save\")"
                    ".or(page.frameLocator(\"#content-frame\").locator(\"#send\"))"
                    ".or(page.frameLocator(\"iframe[name=app]\").locator(\"#save2\")).first().click();"),
            std::string::npos)
      << js;
}

TEST(ExportMarkdown, NumberedAndEscaped) {
  const ScreenshotUrls urls = {{55, "http://127.0.0.1:8080/api/blobs/k?sig=a b(c)"}};
  const std::string md = MarkdownGuide(Sample(), urls);
  EXPECT_EQ(md.rfind("# Pay &lt;script&gt;alert(1)&lt;/script&gt; invoice\n", 0), 0u) << md;
  EXPECT_EQ(md.find("<script>"), std::string::npos);
  EXPECT_EQ(md.find("<img"), std::string::npos);
  EXPECT_NE(md.find("## 2. &lt;b&gt;Save&lt;/b&gt;"), std::string::npos) << md;
  EXPECT_NE(md.find("](http://127.0.0.1:8080/api/blobs/k?sig=a%20b%28c%29)"), std::string::npos) << md;
  EXPECT_NE(md.find("Value: ada@example.com"), std::string::npos);
  EXPECT_NE(md.find("not recorded (sensitive)"), std::string::npos);
}

TEST(ExportHtml, EscapesEveryUserText) {
  WorkflowDetail d = Sample();
  d.steps[0].page_context_json = json{{"url", "javascript:alert(4)"}}.dump();
  const ScreenshotUrls urls = {{55, "http://h/api/blobs/k?a=1&b=\"2\""}};
  const std::string html = HtmlGuide(d, urls);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("href=\"javascript:"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("src=\"http://h/api/blobs/k?a=1&amp;b=&quot;2&quot;\""), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  // The target's box: (10,20) 100×30 in a 1024×700 viewport.
  EXPECT_NE(html.find("class=\"box\" style=\"left:0.98"), std::string::npos) << html;
}

TEST(ExportFile, NamesAndTypes) {
  EXPECT_EQ(SafeFileName("Pay <script> invoice \"Q3\"; rm -rf /"), "Pay-script-invoice-Q3-rm-rf");
  EXPECT_EQ(SafeFileName("über"), "ber");
  EXPECT_EQ(SafeFileName("***"), "workflow");
  EXPECT_EQ(SafeFileName(std::string(300, 'a')).size(), 80u);
  const auto f = ExportWorkflow(Sample(), ExportFormat::kPlaywright, {});
  EXPECT_EQ(f.file_name, "Pay-script-alert-1-script-invoice.spec.js");
  EXPECT_EQ(f.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HtmlEscape("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
}

}  // namespace
}  // namespace stepwise::services
