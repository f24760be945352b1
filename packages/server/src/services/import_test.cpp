#include "services/import.hpp"
#include "services/recorder_selectors.hpp"

#include <gtest/gtest.h>

namespace stepwise::services {
namespace {

using nlohmann::json;

// What Chrome's Recorder writes for a short login flow.
json ChromeRecording() {
  return json::parse(R"({
    "title": "Log in",
    "steps": [
      {"type": "setViewport", "width": 1280, "height": 720, "deviceScaleFactor": 1, "isMobile": false,
       "hasTouch": false, "isLandscape": false},
      {"type": "navigate", "url": "https://app.example.com/login",
       "assertedEvents": [{"type": "navigation", "url": "https://app.example.com/login", "title": "Login"}]},
      {"type": "click", "target": "main", "offsetX": 10, "offsetY": 5,
       "selectors": [["aria/Email"], ["#email"], ["xpath///*[@id=\"email\"]"], ["pierce/#email"]]},
      {"type": "change", "value": "ada@example.com", "target": "main",
       "selectors": [["aria/Email"], ["#email"]]},
      {"type": "change", "value": "hunter2", "target": "main",
       "selectors": [["aria/Password"], ["input[type=\"password\"]"]]},
      {"type": "keyDown", "key": "Enter", "target": "main"},
      {"type": "keyUp", "key": "Enter", "target": "main"},
      {"type": "change", "value": "fr", "target": "main", "selectors": [["form > select.country"]]},
      {"type": "hover", "target": "main", "selectors": [["#menu"]]},
      {"type": "click", "target": "main", "offsetX": 1, "offsetY": 1,
       "selectors": [["my-app", "button.save"], ["text/Save"]]}
    ]})");
}

TEST(ImportSelectors, MapsEveryForm) {
  const json s = SelectorsFromRecorder(
      json::parse(R"([["aria/Save[role=\"button\"]"], ["[data-testid=\"save\"]"], ["#save"],
                      ["xpath///*[@id=\"save\"]"], ["xpath//html/body/button"], ["pierce/#save"],
                      ["text/Save"], ["my-app", "#save"]])"));
  EXPECT_EQ(s["aria"], "aria/Save[role=\"button\"]");
  EXPECT_EQ(s["css"], "#save");  // the first CSS selector other than the test id
  EXPECT_EQ(s["data_testid"], "save");
  EXPECT_EQ(s["primary"], "[data-testid=\"save\"]");
  EXPECT_EQ(s["xpath"], "//*[@id=\"save\"]");
  EXPECT_EQ(s["xpath_alt"], "/html/body/button");
  EXPECT_EQ(s["pierce"], "pierce/#save");
  EXPECT_EQ(s["shadow_chain"], json::array({"my-app", "#save"}));
}

TEST(ImportSelectors, LeftoverAlternativesAreVariants) {
  const auto f = FoldRecorderSelectors(
      json::parse(R"([["aria/Save[role=\"button\"]"], ["[data-testid=\"save\"]"], ["#save"], ["button.save"],
                      ["xpath//a"], ["xpath//b"], ["xpath//c"], ["aria/Store[role=\"button\"]"],
                      ["pierce/#save"], ["pierce/#store"], ["my-app", "#save"], ["other-app", "#keep"],
                      ["text/Save"], ["#save"], ["select#save"]])"));
  EXPECT_EQ(f.selectors["primary"], "[data-testid=\"save\"]");
  EXPECT_EQ(f.selectors["css"], "#save");
  EXPECT_EQ(f.selectors["xpath"], "/a");
  EXPECT_EQ(f.selectors["xpath_alt"], "/b");
  const json expected = json::parse(R"([
    {"primary": "#keep", "shadow_chain": ["other-app", "#keep"]},
    {"primary": "aria/Store[role=\"button\"]", "aria": "aria/Store[role=\"button\"]"},
    {"primary": "pierce/#store", "pierce": "pierce/#store"},
    {"primary": "xpath//c", "xpath": "/c"},
    {"primary": "button.save", "css": "button.save"}])");
  EXPECT_EQ(json(f.extra), expected) << json(f.extra).dump(2);
  // One of each kind: nothing left over.
  EXPECT_TRUE(FoldRecorderSelectors(json::parse(R"([["#a"], ["xpath//a"], ["aria/A"]])")).extra.empty());
}

TEST(ImportSelectors, PrimaryFallsBack) {
  EXPECT_EQ(SelectorsFromRecorder(json::parse(R"([["aria/Go"]])"))["primary"], "aria/Go");
  EXPECT_EQ(SelectorsFromRecorder(json::parse(R"([["xpath//html/body"]])"))["primary"], "xpath//html/body");
  EXPECT_TRUE(SelectorsFromRecorder(json::parse(R"([["text/Go"]])"))["primary"].is_null());
  // Too long for our schema: left out, not cut.
  const json long_css = json::array({json::array({std::string(1001, 'a')})});
  EXPECT_TRUE(SelectorsFromRecorder(long_css)["css"].is_null());
}

TEST(ImportSelectors, TagOfSelector) {
  EXPECT_EQ(TagOfSelector("form > select.country"), "select");
  EXPECT_EQ(TagOfSelector("div.a input[name=\"a b > c\"]"), "input");
  EXPECT_EQ(TagOfSelector("#email"), "");
  EXPECT_EQ(TagOfSelector("[data-testid=x]"), "");
  EXPECT_EQ(TagOfSelector("BUTTON:nth-of-type(2)"), "button");
  EXPECT_EQ(TagOfSelector("xpath//html/body/button[1]"), "button");
  EXPECT_EQ(TagOfSelector("//*[@id=\"x\"]"), "");
  EXPECT_EQ(TagOfSelector(""), "");
}

TEST(ImportRecording, ChromeRecording) {
  const auto out = WorkflowFromRecording(ChromeRecording());
  const json& b = out.body;
  EXPECT_EQ(b["metadata"]["name"], "Log in");
  EXPECT_EQ(b["metadata"]["starting_url"], "https://app.example.com/login");
  const json& steps = b["steps"];
  ASSERT_EQ(steps.size(), 7u) << steps.dump(2);
  EXPECT_EQ(out.source, (std::vector<size_t>{1, 2, 3, 4, 5, 7, 9}));
  EXPECT_EQ(steps[0]["action_type"], "navigate");
  EXPECT_EQ(steps[0]["page_context"]["viewport"]["width"], 1280);
  EXPECT_EQ(steps[1]["action_type"], "click");
  EXPECT_EQ(steps[1]["element_meta"]["accessible_name"], "Email");
  EXPECT_EQ(steps[1]["element_meta"]["tag_name"], "unknown");
  EXPECT_EQ(steps[1]["page_context"]["url"], "https://app.example.com/login");
  EXPECT_EQ(steps[2]["action_type"], "input_commit");
  EXPECT_EQ(steps[2]["action_data"]["input_value"], "ada@example.com");
  // A password is never stored, even when the recording has it.
  EXPECT_EQ(steps[3]["action_type"], "input_commit");
  EXPECT_TRUE(steps[3]["action_data"]["input_value"].is_null());
  EXPECT_EQ(steps[3]["action_data"]["value_masked"], true);
  EXPECT_EQ(steps[3]["element_meta"]["type"], "password");
  EXPECT_EQ(b.dump().find("hunter2"), std::string::npos);
  // Enter submits in the field before it.
  EXPECT_EQ(steps[4]["action_type"], "submit");
  EXPECT_EQ(steps[4]["selectors"], steps[3]["selectors"]);
  EXPECT_EQ(steps[4]["action_data"]["submit_key"], "enter");
  EXPECT_EQ(steps[5]["action_type"], "select_change");
  EXPECT_EQ(steps[5]["element_meta"]["tag_name"], "select");
  EXPECT_EQ(steps[6]["selectors"]["shadow_chain"], json::array({"my-app", "button.save"}));
  EXPECT_EQ(steps[6]["element_meta"]["inner_text"], "Save");
  for (size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i]["step_number"], i + 1);
}

std::string FirstPointer(const core::Error& e) {
  return e.Details()["errors"][0]["pointer"].get<std::string>();
}

TEST(ImportRecording, RefusesWithoutNavigate) {
  json r = {{"title", "x"},
            {"steps", {{{"type", "click"}, {"selectors", {{"#a"}}}, {"offsetX", 1}, {"offsetY", 1}}}}};
  try {
    WorkflowFromRecording(r);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(e.Kind(), core::ErrorKind::kValidation);
    EXPECT_EQ(FirstPointer(e), "/steps");
    EXPECT_NE(std::string(e.Details().dump()).find("no navigate step"), std::string::npos);
  }
}

TEST(ImportRecording, RefusesWithoutUsableStep) {
  json r = {{"title", "x"},
            {"steps",
             {{{"type", "navigate"}, {"url", "https://a.example"}},
              {{"type", "hover"}, {"selectors", {{"#a"}}}},
              {{"type", "click"}, {"selectors", {{"text/Only text"}}}, {"offsetX", 1}, {"offsetY", 1}}}}};
  try {
    WorkflowFromRecording(r);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(FirstPointer(e), "/steps");
    EXPECT_NE(std::string(e.Details().dump()).find("no step to import"), std::string::npos);
  }
}

TEST(ImportRecording, RefusesNonHttpStart) {
  json r = {{"title", "x"},
            {"steps",
             {{{"type", "navigate"}, {"url", "javascript:alert(1)"}},
              {{"type", "click"}, {"selectors", {{"#a"}}}, {"offsetX", 1}, {"offsetY", 1}}}}};
  try {
    WorkflowFromRecording(r);
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_EQ(FirstPointer(e), "/steps/0/url");
  }
}

TEST(ImportRecording, ErrorsPointIntoTheRecording) {
  const auto out = WorkflowFromRecording(ChromeRecording());
  const core::Error raw(core::ErrorKind::kValidation, "VALIDATION_ERROR", "The request is not valid",
                        {{"errors", {{{"pointer", "/steps/6/selectors/css"}, {"message", "too long"}}}}});
  const core::Error mapped = RecordingError(raw, out);
  EXPECT_EQ(FirstPointer(mapped), "/steps/9");
  const core::Error other = core::NotFound("X", "gone");
  EXPECT_EQ(RecordingError(other, out).Kind(), core::ErrorKind::kNotFound);
}

}  // namespace
}  // namespace stepwise::services
