// RecorderSelectors on the cases guide-core's recorderSelectors is tested on too
// (testdata/recorder_selectors.json): the export and the extension write the same lists.
#include "services/recorder_selectors.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace stepwise::services {
namespace {

TEST(RecorderSelectors, SharedCasesWithGuideCore) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / "testdata" / "recorder_selectors.json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const auto doc = nlohmann::json::parse(in);
  ASSERT_GE(doc.at("cases").size(), 5u);
  for (const auto& c : doc.at("cases")) {
    const auto got = RecorderSelectors(c.at("selectors"));
    EXPECT_EQ(nlohmann::json(got), c.at("expected")) << c.at("name");
  }
}

TEST(RecorderSelectors, RoundTripThroughTheImportKeepsTheFields) {
  const nlohmann::json ours = {
      {"primary", "#save"}, {"css", "form > button.save"}, {"xpath", "/html/body/form/button"}};
  const auto back = SelectorsFromRecorder(nlohmann::json(RecorderSelectors(ours)));
  EXPECT_EQ(back["primary"], "#save");
  EXPECT_EQ(back["xpath"], "/html/body/form/button");
}

}  // namespace
}  // namespace stepwise::services
