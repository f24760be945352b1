#include "services/export.hpp"

#include <algorithm>
#include <cmath>

#include "core/text.hpp"
#include "services/recorder_selectors.hpp"

namespace stepwise::services {

using nlohmann::json;

namespace {

constexpr size_t kMaxSelectorText = kRecorderMaxSelectorText;
constexpr size_t kMaxAlternatives = kRecorderMaxAlternatives;
constexpr int kDefaultWidth = 1280;
constexpr int kDefaultHeight = 800;

json ParseObject(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_object() ? j : json::object();
}

json ParseObject(const std::optional<std::string>& text) {
  return text ? ParseObject(*text) : json::object();
}

std::string Text(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Flag(const json& obj, const char* key) {
  if (!obj.is_object()) return false;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

std::optional<double> Number(const json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool IsHttpUrl(std::string_view url) {
  const std::string head = core::AsciiLower(std::string(url.substr(0, 8)));
  return StartsWith(head, "http://") || StartsWith(head, "https://");
}

// A step with its stored JSON columns parsed, and what every format says about it.
struct StepFacts {
  const storage::StepRecord* rec = nullptr;
  json selectors, meta, page, action;
  std::string label;
  std::string instruction;
  bool is_value_step = false;        // input_commit, select_change
  std::optional<std::string> value;  // the recorded value; never set when masked
  std::string url;                   // page_context.url
  std::vector<json> variants;        // the selectors of its shared variants, preferred first
};

std::string DerivedLabel(const StepFacts& f) {
  for (const char* key : {"label_text", "aria_label", "accessible_name", "placeholder", "title", "alt"}) {
    if (auto t = core::CollapseSpace(Text(f.meta, key)); !t.empty()) return core::TruncateUtf8(t, 80, true);
  }
  if (auto t = core::CollapseSpace(Text(f.meta, "inner_text")); !t.empty())
    return core::TruncateUtf8(t, 80, true);
  if (auto t = core::CollapseSpace(Text(f.meta, "name")); !t.empty()) return core::TruncateUtf8(t, 80, true);
  return {};
}

std::string DefaultInstruction(const StepFacts& f) {
  const std::string& a = f.rec->action_type;
  const std::string target = f.label.empty() ? std::string() : " \u201c" + f.label + "\u201d";
  if (a == "navigate") return "Go to " + (f.url.empty() ? std::string("the page") : f.url) + ".";
  if (a == "input_commit") return "Fill in" + (target.empty() ? std::string(" the field") : target) + ".";
  if (a == "select_change")
    return "Choose an option in" + (target.empty() ? std::string(" the list") : target) + ".";
  if (a == "submit") return "Submit the form.";
  return "Click" + (target.empty() ? std::string(" the element") : target) + ".";
}

StepFacts FactsOf(const storage::StepRecord& s, const std::vector<storage::VariantRecord>* variants) {
  StepFacts f;
  f.rec = &s;
  if (variants != nullptr) {
    for (const auto& v : *variants) {
      if (v.status == "shared") f.variants.push_back(ParseObject(v.selectors_json));
    }
  }
  f.selectors = ParseObject(s.selectors_json);
  f.meta = ParseObject(s.element_meta_json);
  f.page = ParseObject(s.page_context_json);
  f.action = ParseObject(s.action_data_json);
  f.url = Text(f.page, "url");
  f.is_value_step = s.action_type == "input_commit" || s.action_type == "select_change";
  const bool masked = Flag(f.action, "value_masked") || Flag(f.meta, "value_masked") ||
                      core::AsciiLower(Text(f.meta, "type")) == "password";
  if (f.is_value_step && !masked && f.action.contains("input_value") && f.action["input_value"].is_string())
    f.value = f.action["input_value"].get<std::string>();
  if (s.field_label && !core::Trim(*s.field_label).empty()) {
    f.label = core::CollapseSpace(*s.field_label);
  } else if (s.action_type == "navigate") {
    f.label = core::CollapseSpace(Text(f.page, "title"));
    if (f.label.empty()) f.label = "Open the page";
  } else {
    f.label = DerivedLabel(f);
  }
  if (f.label.empty()) f.label = "Step " + std::to_string(s.step_number);
  f.instruction =
      s.instruction && !core::Trim(*s.instruction).empty() ? *s.instruction : DefaultInstruction(f);
  return f;
}

std::vector<StepFacts> AllFacts(const WorkflowDetail& d) {
  std::vector<StepFacts> out;
  out.reserve(d.steps.size());
  for (const auto& s : d.steps) {
    const auto v = d.variants.find(s.id);
    out.push_back(FactsOf(s, v != d.variants.end() ? &v->second : nullptr));
  }
  return out;
}

// Does the recording already start where the workflow starts? (The recorder records the first
// page as a navigate step; another navigate in front of it would be a step the import adds.)
bool OpensAtStart(const WorkflowDetail& d, const std::vector<StepFacts>& facts) {
  return !facts.empty() && facts.front().rec->action_type == "navigate" &&
         facts.front().url == d.workflow.starting_url;
}

std::pair<int, int> ViewportOf(const std::vector<StepFacts>& facts) {
  for (const auto& f : facts) {
    const json vp = f.page.value("viewport", json());
    const auto w = Number(vp, "width");
    const auto h = Number(vp, "height");
    if (w && h && *w >= 1 && *h >= 1 && *w <= 100000 && *h <= 100000)
      return {static_cast<int>(*w), static_cast<int>(*h)};
  }
  return {kDefaultWidth, kDefaultHeight};
}

std::string SubmitKey(const StepFacts& f) { return Text(f.action, "submit_key"); }

// A submit that a click reproduces: the recorder saw the click on the submit button.
bool SubmitIsClick(const StepFacts& f) {
  if (SubmitKey(f) == "button_click") return true;
  if (SubmitKey(f) == "enter") return false;
  const std::string tag = core::AsciiLower(Text(f.meta, "tag_name"));
  return tag == "button" || tag == "input";
}

// A change on a <select>: the Recorder has no field for it, so the import reads it from a
// selector naming the tag. When none does, a last alternative adds the tag to a single compound
// ("#country" → "select#country"), which finds the same element.
std::vector<std::vector<std::string>> WithSelectHint(std::vector<std::vector<std::string>> selectors,
                                                     const StepFacts& f) {
  if (f.rec->action_type != "select_change" || selectors.size() >= kMaxAlternatives) return selectors;
  std::string compound;
  for (const auto& chain : selectors) {
    const std::string& last = chain.back();
    if (StartsWith(last, "aria/") || StartsWith(last, "text/") || StartsWith(last, "xpath/")) continue;
    if (!TagOfSelector(last).empty()) return selectors;
    const bool simple = (last[0] == '#' || last[0] == '.' || last[0] == '[') &&
                        last.find_first_of(" >+~,") == std::string::npos;
    if (compound.empty() && chain.size() == 1 && simple) compound = last;
  }
  if (!compound.empty() && compound.size() + 6 <= kMaxSelectorText)
    selectors.push_back({"select" + compound});
  return selectors;
}

std::string ValueOrPlaceholder(const StepFacts& f) { return f.value ? *f.value : MaskedPlaceholder(f.meta); }

// --- text helpers -------------------------------------------------------------------------

// One line for a comment in a script: no line terminators (JavaScript also ends a line at
// U+2028 and U+2029), no control characters.
std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) == 0xA8 ||
         static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
      out += ' ';
      i += 2;
    } else if (c < 0x20 || c == 0x7F) {
      out += ' ';
    } else {
      out += static_cast<char>(c);
    }
  }
  return core::CollapseSpace(out);
}

// A JavaScript string literal (JSON's, ASCII only: valid in any JS source).
std::string Js(std::string_view s) {
  return json(std::string(s)).dump(-1, ' ', true, json::error_handler_t::replace);
}

std::string JsonText(const json& j, int indent = 2) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

// Inline Markdown text: whitespace collapsed, every character that could start markup escaped
// (so "<script>" stays text and "[x](javascript:…)" is no link).
std::string MdText(std::string_view text) {
  const std::string flat = core::CollapseSpace(OneLine(text));
  std::string out;
  out.reserve(flat.size() + 8);
  static constexpr std::string_view kSpecial = "\\`*_[]#|~!";
  for (char c : flat) {
    // Character references for HTML's own: not even a careless renderer sees a tag.
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      if (kSpecial.find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  // A paragraph starting like a list item, a heading underline or an ordered list.
  if (!out.empty() && (out[0] == '-' || out[0] == '+' || out[0] == '=')) out.insert(0, "\\");
  size_t digits = 0;
  while (digits < out.size() && std::isdigit(static_cast<unsigned char>(out[digits]))) ++digits;
  if (digits > 0 && digits < out.size() && (out[digits] == '.' || out[digits] == ')'))
    out.insert(digits, "\\");
  return out;
}

// A URL inside Markdown's ( ): characters that would end or break it are percent-encoded.
std::string MdUrl(std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : url) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F || std::string_view("<>()\"'`\\[]").find(ch) != std::string_view::npos) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string ShotUrl(const StepFacts& f, const ScreenshotUrls& urls) {
  if (!f.rec->screenshot_id) return {};
  auto it = urls.find(*f.rec->screenshot_id);
  return it != urls.end() && IsHttpUrl(it->second) ? it->second : std::string();
}

// --- Playwright -----------------------------------------------------------------------------

// One selector in any of our forms → a locator call on `base` ("page", a frame locator).
std::string LocatorCall(std::string_view sel) {
  if (sel.empty()) return {};
  if (StartsWith(sel, "aria/")) {
    const AriaSelector a = ParseAriaSelector(sel);
    if (a.role.empty() || a.name.empty()) return {};
    return ".getByRole(" + Js(a.role) + ", { name: " + Js(a.name) + ", exact: true })";
  }
  if (StartsWith(sel, "text/")) return ".getByText(" + Js(sel.substr(5)) + ", { exact: true })";
  if (StartsWith(sel, "xpath/")) return ".locator(" + Js("xpath=" + std::string(sel.substr(6))) + ")";
  if (sel[0] == '/' || sel[0] == '(') return ".locator(" + Js("xpath=" + std::string(sel)) + ")";
  // Playwright's CSS engine already pierces open shadow roots.
  if (StartsWith(sel, "pierce/")) return ".locator(" + Js(sel.substr(7)) + ")";
  return ".locator(" + Js(sel) + ")";
}

// A frame selector as Playwright takes it: a frame inside a shadow root is recorded in the
// `pierce/` form, and Playwright's CSS engine pierces open shadow roots without it.
std::string FrameCss(const std::string& sel) { return StartsWith(sel, "pierce/") ? sel.substr(7) : sel; }

bool HasFrame(const json& s) {
  return !NonEmptyStrings(s.value("frame_path", json())).empty() || !FrameIndex(s).empty();
}

}  // namespace

std::string PlaywrightFrame(const json& s) {
  std::string base = "page";
  if (!s.is_object()) return base;
  const auto path = NonEmptyStrings(s.value("frame_path", json()));
  for (const auto& frame : path) base += ".frameLocator(" + Js(FrameCss(frame)) + ")";
  if (!path.empty()) return base;
  // Known by index only (an imported recording): the n-th iframe, which is the n-th of
  // `window.frames` unless the page adds frames out of document order.
  for (int i : FrameIndex(s)) base += ".frameLocator(\"iframe\").nth(" + std::to_string(i) + ")";
  return base;
}

std::optional<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "devtools") return ExportFormat::kDevtools;
  if (name == "playwright") return ExportFormat::kPlaywright;
  if (name == "markdown") return ExportFormat::kMarkdown;
  if (name == "html") return ExportFormat::kHtml;
  return std::nullopt;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string SafeFileName(std::string_view name) {
  std::string out;
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if ((std::isalnum(c) != 0 && c < 0x80) || ch == '_') {
      out += ch;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() >= 80) break;
  }
  while (!out.empty() && (out.back() == '-' || out.back() == '_')) out.pop_back();
  while (!out.empty() && (out.front() == '-' || out.front() == '_')) out.erase(out.begin());
  return out.empty() ? "workflow" : out;
}

std::string PlaywrightLocator(const json& s) {
  if (!s.is_object()) return {};
  const std::string base = PlaywrightFrame(s);
  const auto chain = NonEmptyStrings(s.value("shadow_chain", json()));
  if (!chain.empty()) {
    std::string expr = base;
    for (const auto& part : chain) {
      const std::string call = LocatorCall(part);
      if (call.empty()) return {};
      expr += call;
    }
    return expr;
  }
  for (const char* key : {"primary", "css", "aria", "xpath", "xpath_alt", "pierce"}) {
    std::string sel = Text(s, key);
    if ((std::string_view(key) == "xpath" || std::string_view(key) == "xpath_alt") && !sel.empty() &&
        !StartsWith(sel, "xpath/"))
      sel = "xpath/" + sel;
    if (auto call = LocatorCall(sel); !call.empty()) return base + call;
  }
  return {};
}

std::string PlaywrightHostLocator(const json& s) {
  if (!s.is_object()) return {};
  const auto chain = NonEmptyStrings(s.value("shadow_chain", json()));
  if (chain.size() < 2) return {};
  std::string expr = PlaywrightFrame(s);
  for (size_t i = 0; i + 1 < chain.size(); ++i) {
    const std::string call = LocatorCall(chain[i]);
    if (call.empty()) return {};
    expr += call;
  }
  return expr;
}

namespace {

// The recorded selectors' alternatives, then those of the step's shared variants that are new,
// within the Recorder's cap: a replay finds the element on either design.
std::vector<std::vector<std::string>> AllRecorderSelectors(const StepFacts& f) {
  auto out = RecorderSelectors(f.selectors);
  for (const auto& v : f.variants) {
    for (auto& chain : RecorderSelectors(v)) {
      if (out.size() >= kMaxAlternatives) return out;
      if (std::find(out.begin(), out.end(), chain) == out.end()) out.push_back(std::move(chain));
    }
  }
  return out;
}

// What Playwright can reach of an element: the element, or (inside a closed shadow root, which
// Playwright cannot enter) the host of the root that holds it.
struct Reach {
  std::string locator;
  bool host = false;
};

Reach Reachable(const json& s) {
  if (Flag(s, "in_closed_shadow")) {
    if (std::string host = PlaywrightHostLocator(s); !host.empty()) return {std::move(host), true};
  }
  return {PlaywrightLocator(s), false};
}

// A variant found by the walkthrough inside the step's frame often does not say which frame that
// is (a cross-origin frame cannot read its ancestors): it is in the step's.
json InStepFrame(json v, const json& step) {
  if (!v.is_object() || HasFrame(v)) return v;
  for (const char* key : {"frame_path", "frame_urls", "frame_index"}) {
    if (step.contains(key)) v[key] = step[key];
  }
  return v;
}

// The recorded locator, `.or()` each shared variant's: the first element either finds. `host`:
// some of them lead to the host of a closed shadow root instead of the element.
Reach LocatorWithVariants(const StepFacts& f) {
  const Reach recorded = Reachable(f.selectors);
  std::string locator = recorded.locator;
  bool host = recorded.host;
  std::vector<std::string> seen{locator};
  bool combined = false;
  for (const auto& v : f.variants) {
    const Reach reach = Reachable(InStepFrame(v, f.selectors));
    const std::string& other = reach.locator;
    if (other.empty() || std::find(seen.begin(), seen.end(), other) != seen.end()) continue;
    seen.push_back(other);
    host = host || reach.host;
    if (locator.empty()) {
      locator = other;
    } else {
      locator += ".or(" + other + ")";
      combined = true;
    }
  }
  // Both designs may be on the page at once: the first match, not a strict-mode error.
  return {combined ? locator + ".first()" : locator, host};
}

}  // namespace

json DevtoolsRecording(const WorkflowDetail& d) {
  const auto facts = AllFacts(d);
  const auto [width, height] = ViewportOf(facts);
  json steps = json::array();
  steps.push_back({{"type", "setViewport"},
                   {"width", width},
                   {"height", height},
                   {"deviceScaleFactor", 1},
                   {"isMobile", false},
                   {"hasTouch", false},
                   {"isLandscape", false}});
  if (!OpensAtStart(d, facts)) steps.push_back({{"type", "navigate"}, {"url", d.workflow.starting_url}});
  auto key = [&](const char* type) {
    steps.push_back({{"type", type}, {"target", "main"}, {"key", "Enter"}});
  };
  for (const auto& f : facts) {
    const std::string& a = f.rec->action_type;
    if (a == "navigate") {
      if (!f.url.empty()) steps.push_back({{"type", "navigate"}, {"url", f.url}});
      continue;
    }
    const auto selectors = AllRecorderSelectors(f);
    if (a == "submit" && !SubmitIsClick(f)) {
      // Enter in the field the previous step filled (the Recorder's keyDown has no target).
      key("keyDown");
      key("keyUp");
      continue;
    }
    if (selectors.empty()) continue;  // the Recorder cannot find an element without a selector
    // The step's frame by its index in each ancestor's frames: @puppeteer/replay follows it as
    // frame.childFrames()[i] from the main frame, the browser's frame tree order that
    // window.frames also has. A frame known only by its selector cannot be written.
    const std::vector<int> frame = FrameIndex(f.selectors);
    auto in_frame = [&](json step) {
      if (!frame.empty()) step["frame"] = frame;
      return step;
    };
    if (f.is_value_step) {
      steps.push_back(in_frame({{"type", "change"},
                                {"target", "main"},
                                {"selectors", WithSelectHint(selectors, f)},
                                {"value", ValueOrPlaceholder(f)}}));
      continue;
    }
    // click (and a submit made by clicking its button): where in the element it was clicked.
    const json box = f.meta.value("bounding_box", json());
    const json at = f.action.value("click_coordinates", json());
    const auto bw = Number(box, "width");
    const auto bh = Number(box, "height");
    double ox = bw && *bw > 0 ? *bw / 2 : 1;
    double oy = bh && *bh > 0 ? *bh / 2 : 1;
    const auto bx = Number(box, "x");
    const auto by = Number(box, "y");
    const auto cx = Number(at, "x");
    const auto cy = Number(at, "y");
    if (bx && by && bw && bh && cx && cy && *cx >= *bx && *cx <= *bx + *bw && *cy >= *by &&
        *cy <= *by + *bh) {
      ox = *cx - *bx;
      oy = *cy - *by;
    }
    ox = std::round(ox * 10) / 10;
    oy = std::round(oy * 10) / 10;
    steps.push_back(in_frame(
        {{"type", "click"}, {"target", "main"}, {"selectors", selectors}, {"offsetX", ox}, {"offsetY", oy}}));
  }
  return {{"title", d.workflow.name}, {"steps", steps}};
}

std::string PlaywrightScript(const WorkflowDetail& d) {
  const auto facts = AllFacts(d);
  const auto [width, height] = ViewportOf(facts);
  std::string out;
  out += "// Exported by Stepwise from the workflow " + OneLine(d.workflow.name) + " (id " +
         std::to_string(d.workflow.id) + ").\n";
  out +=
      "// Values the recorder did not keep (passwords, card numbers) are placeholders such as '<password>':\n"
      "// replace them (for example with process.env) before running.\n";
  out += "import { test } from '@playwright/test';\n\n";
  out += "test(" + Js(d.workflow.name) + ", async ({ page }) => {\n";
  out += "  await page.setViewportSize({ width: " + std::to_string(width) +
         ", height: " + std::to_string(height) + " });\n";
  if (!OpensAtStart(d, facts)) out += "  await page.goto(" + Js(d.workflow.starting_url) + ");\n";
  for (const auto& f : facts) {
    const std::string& a = f.rec->action_type;
    out += "\n  // " + std::to_string(f.rec->step_number) + ". " + OneLine(f.label) + ": " +
           OneLine(f.instruction) + "\n";
    if (a == "navigate") {
      if (f.url.empty()) {
        out += "  // (no URL was recorded for this navigation)\n";
      } else {
        out += "  await page.goto(" + Js(f.url) + ");\n";
      }
      continue;
    }
    const auto [locator, host] = LocatorWithVariants(f);
    // Playwright has no way into a closed shadow root (neither its CSS nor getByRole enters one).
    const bool closed = Flag(f.selectors, "in_closed_shadow");
    if (closed && !host) {
      out +=
          "  // Playwright cannot enter closed shadow roots, and this element is inside one: the locator\n"
          "  // below will not find it.\n";
    }
    if (a == "submit" && !SubmitIsClick(f)) {
      const std::string tag = core::AsciiLower(Text(f.meta, "tag_name"));
      if (host) {
        out += "  // Playwright cannot enter closed shadow roots: Enter goes to the field focused last.\n";
        out += "  await page.keyboard.press('Enter');\n";
      } else if (locator.empty()) {
        out += "  await page.keyboard.press('Enter');\n";
      } else if (tag == "form") {
        out += "  await " + locator + ".evaluate((form) => form.requestSubmit());\n";
      } else {
        out += "  await " + locator + ".press('Enter');\n";
      }
      continue;
    }
    if (locator.empty()) {
      out += "  // (skipped: no selector was recorded for this element)\n";
      continue;
    }
    if (f.is_value_step) {
      const std::string value = ValueOrPlaceholder(f);
      const std::string note = f.value ? "" : " // sensitive value not recorded: put the real one here";
      if (host && a == "select_change") {
        const std::string choose = "choose " + Js(value) + " in it another way";
        out +=
            "  // Playwright cannot enter closed shadow roots, and this list is inside one: a test cannot\n"
            "  // choose its option. Not done here: " +
            choose + ". Its component: " + OneLine(locator) + "\n";
      } else if (host) {
        out +=
            "  // Playwright cannot enter closed shadow roots, and this field is inside one: a click on the\n"
            "  // centre of its host focuses what is there (right when the component is little more than\n"
            "  // the field), then the value is typed over what it holds.\n";
        out += "  await " + locator + ".click();\n";
        out += "  await page.keyboard.press('ControlOrMeta+A');\n";
        out += "  await page.keyboard.type(" + Js(value) + ");" + note + "\n";
      } else if (a == "select_change") {
        // The recorder keeps the chosen option's text.
        out += "  await " + locator + ".selectOption({ label: " + Js(value) + " });" + note + "\n";
      } else {
        out += "  await " + locator + ".fill(" + Js(value) + ");" + note + "\n";
      }
      continue;
    }
    if (host) {
      out +=
          "  // Playwright cannot enter closed shadow roots, and this element is inside one: this clicks\n"
          "  // the centre of its host, and the browser hands the click to what is there inside the root\n"
          "  // (right for a component that is little more than this element, such as a button;\n"
          "  // otherwise give click() a { position }).\n";
    }
    out += "  await " + locator + ".click();\n";
  }
  out += "});\n";
  return out;
}

std::string MarkdownGuide(const WorkflowDetail& d, const ScreenshotUrls& urls) {
  const auto facts = AllFacts(d);
  const auto& w = d.workflow;
  std::string out = "# " + MdText(w.name) + "\n\n";
  if (w.description && !core::Trim(*w.description).empty()) out += MdText(*w.description) + "\n\n";
  out += "**Starts at:** ";
  out += IsHttpUrl(w.starting_url) ? "[" + MdText(w.starting_url) + "](" + MdUrl(w.starting_url) + ")"
                                   : MdText(w.starting_url);
  out += "  \n**Steps:** " + std::to_string(facts.size()) + "\n";
  int n = 0;
  for (const auto& f : facts) {
    ++n;
    out += "\n## " + std::to_string(n) + ". " + MdText(f.label) + "\n\n";  // "1." in a heading is no list
    out += MdText(f.instruction) + "\n";
    if (f.rec->action_type == "navigate" && IsHttpUrl(f.url)) {
      out += "\nPage: [" + MdText(f.url) + "](" + MdUrl(f.url) + ")\n";
    }
    if (f.is_value_step) {
      out += f.value ? "\nValue: " + MdText(*f.value) + "\n"
                     : "\nValue: *not recorded (sensitive), enter your own*\n";
    }
    if (const std::string url = ShotUrl(f, urls); !url.empty()) {
      out += "\n![Step " + std::to_string(n) + ": " + MdText(f.label) + "](" + MdUrl(url) + ")\n";
    }
  }
  return out;
}

std::string HtmlGuide(const WorkflowDetail& d, const ScreenshotUrls& urls) {
  const auto facts = AllFacts(d);
  const auto& w = d.workflow;
  const auto e = [](std::string_view s) { return HtmlEscape(s); };
  std::string out;
  out.reserve(4096 + facts.size() * 1024);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src http: https: "
      "data:; "
      "style-src 'unsafe-inline'\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n";
  out += "<title>" + e(w.name) + "</title>\n";
  out += R"(<style>
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933; background: #f5f7fa; }
main { max-width: 880px; margin: 0 auto; padding: 32px 24px 48px; background: #fff; }
h1 { font-size: 28px; margin: 0 0 8px; }
.description { color: #52606d; margin: 0 0 8px; white-space: pre-wrap; }
.meta { color: #52606d; font-size: 14px; margin: 0 0 24px; }
a { color: #1d4ed8; word-break: break-all; }
ol.steps { list-style: none; margin: 0; padding: 0; }
.step { display: flex; gap: 16px; padding: 20px 0; border-top: 1px solid #e4e7eb; break-inside: avoid; page-break-inside: avoid; }
.num { flex: 0 0 32px; height: 32px; border-radius: 50%; background: #1d4ed8; color: #fff; font-weight: 600; display: flex; align-items: center; justify-content: center; }
.body { flex: 1; min-width: 0; }
.step h2 { font-size: 17px; margin: 4px 0 4px; overflow-wrap: anywhere; }
.instruction { margin: 0 0 8px; overflow-wrap: anywhere; white-space: pre-wrap; }
.value { margin: 0 0 8px; font-size: 14px; color: #323f4b; overflow-wrap: anywhere; }
.value code { background: #f0f4f8; padding: 1px 4px; border-radius: 3px; }
.masked { font-style: italic; color: #7b8794; }
figure { margin: 8px 0 0; }
.frame { position: relative; display: inline-block; max-width: 100%; border: 1px solid #cbd2d9; border-radius: 4px; overflow: hidden; }
.frame img { display: block; max-width: 100%; height: auto; }
.box { position: absolute; border: 3px solid #f97316; border-radius: 4px; box-shadow: 0 0 0 2px rgba(255,255,255,.7); pointer-events: none; }
footer { margin-top: 24px; color: #7b8794; font-size: 12px; }
@media print {
  body { background: #fff; font-size: 12pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
  .num { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .box { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .frame img { max-height: 60vh; width: auto; }
}
</style>
</head>
<body>
<main>
)";
  out += "<header>\n<h1>" + e(w.name) + "</h1>\n";
  if (w.description && !core::Trim(*w.description).empty())
    out += "<p class=\"description\">" + e(*w.description) + "</p>\n";
  out += "<p class=\"meta\">Starts at ";
  out += IsHttpUrl(w.starting_url) ? "<a href=\"" + e(w.starting_url) + "\">" + e(w.starting_url) + "</a>"
                                   : e(w.starting_url);
  out += " &middot; " + std::to_string(facts.size()) + (facts.size() == 1 ? " step" : " steps") + "</p>\n";
  out += "</header>\n<ol class=\"steps\">\n";
  int n = 0;
  for (const auto& f : facts) {
    ++n;
    const std::string num = std::to_string(n);
    out += "<li class=\"step\" id=\"step-" + num + "\">\n<div class=\"num\">" + num +
           "</div>\n<div class=\"body\">\n";
    out += "<h2>" + e(f.label) + "</h2>\n";
    out += "<p class=\"instruction\">" + e(f.instruction) + "</p>\n";
    if (f.rec->action_type == "navigate" && !f.url.empty()) {
      out += "<p class=\"value\">Page: ";
      out += IsHttpUrl(f.url) ? "<a href=\"" + e(f.url) + "\">" + e(f.url) + "</a>" : e(f.url);
      out += "</p>\n";
    }
    if (f.is_value_step) {
      out += f.value ? "<p class=\"value\">Value: <code>" + e(*f.value) + "</code></p>\n"
                     : "<p class=\"value masked\">Value not recorded (sensitive): enter your own.</p>\n";
    }
    if (const std::string url = ShotUrl(f, urls); !url.empty()) {
      out += "<figure>\n<div class=\"frame\"><img src=\"" + e(url) + "\" alt=\"Screenshot of step " + num +
             ": " + e(f.label) + "\">";
      // The target's box, placed in percent of the viewport the screenshot shows.
      const json vp = f.page.value("viewport", json());
      const json box = f.meta.value("bounding_box", json());
      const auto vw = Number(vp, "width");
      const auto vh = Number(vp, "height");
      const auto bx = Number(box, "x");
      const auto by = Number(box, "y");
      const auto bw = Number(box, "width");
      const auto bh = Number(box, "height");
      if (vw && vh && bx && by && bw && bh && *vw > 0 && *vh > 0 && *bw > 0 && *bh > 0 && *bx < *vw &&
          *by<*vh&& * bx + *bw> 0 && *by + *bh > 0) {
        const auto pct = [](double v, double of) {
          const double p = std::clamp(v / of * 100, 0.0, 100.0);
          return std::to_string(std::round(p * 100) / 100);
        };
        const double left = std::max(*bx, 0.0);
        const double top = std::max(*by, 0.0);
        const double right = std::min(*bx + *bw, *vw);
        const double bottom = std::min(*by + *bh, *vh);
        out += "<span class=\"box\" style=\"left:" + pct(left, *vw) + "%;top:" + pct(top, *vh) +
               "%;width:" + pct(right - left, *vw) + "%;height:" + pct(bottom - top, *vh) + "%\"></span>";
      }
      out += "</div>\n</figure>\n";
    }
    out += "</div>\n</li>\n";
  }
  out += "</ol>\n<footer>Exported from Stepwise. Screenshot links expire 15 minutes after export.</footer>\n";
  out += "</main>\n</body>\n</html>\n";
  return out;
}

ExportFile ExportWorkflow(const WorkflowDetail& detail, ExportFormat format, const ScreenshotUrls& urls) {
  const std::string base = SafeFileName(detail.workflow.name);
  switch (format) {
    case ExportFormat::kDevtools:
      return {"application/json", base + ".json", JsonText(DevtoolsRecording(detail)) + "\n"};
    case ExportFormat::kPlaywright:
      return {"text/javascript; charset=utf-8", base + ".spec.js", PlaywrightScript(detail)};
    case ExportFormat::kMarkdown:
      return {"text/markdown; charset=utf-8", base + ".md", MarkdownGuide(detail, urls)};
    case ExportFormat::kHtml:
      return {"text/html; charset=utf-8", base + ".html", HtmlGuide(detail, urls)};
  }
  return {};
}

}  // namespace stepwise::services
