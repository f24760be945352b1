#pragma once
// One recording, several outputs: a workflow as a Chrome DevTools Recorder recording, a
// Playwright test, and a numbered how-to document (Markdown or printable HTML). Pure functions
// of a workflow's detail and its screenshots' signed URLs: no database, no HTTP.
//
// Values the recorder masked (passwords, card numbers: `value_masked`, or no `input_value`) are
// never invented: every format writes a placeholder (`<password>`, `<masked>`) in their place.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "services/workflows.hpp"

namespace stepwise::services {

enum class ExportFormat { kDevtools, kPlaywright, kMarkdown, kHtml };

// "devtools" | "playwright" | "markdown" | "html"; nullopt otherwise.
std::optional<ExportFormat> ParseExportFormat(std::string_view name);

struct ExportFile {
  std::string content_type;
  std::string file_name;  // "<safe name>.<ext>", safe in a quoted Content-Disposition filename
  std::string body;
};

// Screenshot id → its (signed, absolute) URL, as the detail endpoint makes them.
using ScreenshotUrls = std::map<int64_t, std::string>;

ExportFile ExportWorkflow(const WorkflowDetail& detail, ExportFormat format, const ScreenshotUrls& urls);

// The parts, for tests.
nlohmann::json DevtoolsRecording(const WorkflowDetail& detail);
std::string PlaywrightScript(const WorkflowDetail& detail);
std::string MarkdownGuide(const WorkflowDetail& detail, const ScreenshotUrls& urls);
std::string HtmlGuide(const WorkflowDetail& detail, const ScreenshotUrls& urls);

// A Playwright locator expression ("page.locator('#x')", "page.getByRole(...)"); empty when the
// selectors give nothing usable. Inside frames it starts from PlaywrightFrame.
std::string PlaywrightLocator(const nlohmann::json& selectors);
// Where the element's frame is for Playwright: "page", then a frame locator per level of
// `frame_path` (a `pierce/` selector without its prefix: Playwright's CSS pierces open shadow
// roots), or, with only `frame_index`, the n-th iframe of each level.
std::string PlaywrightFrame(const nlohmann::json& selectors);
// The locator of the host of the shadow root that holds the element (its shadow chain without the
// last part); empty without a chain. For an element in a closed shadow root, which Playwright
// cannot enter.
std::string PlaywrightHostLocator(const nlohmann::json& selectors);

// & < > " ' as character references: safe in HTML text and quoted attribute values.
std::string HtmlEscape(std::string_view text);
// ASCII letters, digits, '-' and '_' only (runs of anything else become one '-'), at most 80
// characters; "workflow" when nothing is left.
std::string SafeFileName(std::string_view name);

}  // namespace stepwise::services
