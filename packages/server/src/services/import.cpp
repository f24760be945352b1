#include "services/import.hpp"

#include <algorithm>
#include <optional>
#include <regex>

#include "core/text.hpp"
#include "services/recorder_selectors.hpp"
#include "services/workflows.hpp"

namespace stepwise::services {

using core::Error;
using core::ErrorKind;
using nlohmann::json;

namespace {

// The bounds of our ElementMeta and ActionData schemas (openapi.yaml).
constexpr size_t kMaxShortText = 500;
constexpr size_t kMaxInputValue = 5000;
constexpr size_t kMaxSteps = 500;
constexpr int64_t kMaxVariants = 20;  // stored variants per step

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string Text(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

constexpr const char* kNotAWorkflow = "The recording cannot become a workflow";

Error Invalid(const std::string& pointer, const std::string& message) {
  return core::ValidationErrors(json::array({{{"pointer", pointer}, {"message", message}}}), kNotAWorkflow);
}

// Every selector of a step as flat strings: alternatives, and the parts of shadow chains.
std::vector<std::string> AllSelectorTexts(const json& selectors) {
  std::vector<std::string> out;
  if (!selectors.is_array()) return out;
  for (const auto& alt : selectors) {
    if (alt.is_string()) out.push_back(alt.get<std::string>());
    if (alt.is_array()) {
      for (const auto& part : alt) {
        if (part.is_string()) out.push_back(part.get<std::string>());
      }
    }
  }
  return out;
}

// The selector of the element itself in each alternative: a chain's last part (the others are
// the shadow hosts on the way).
std::vector<std::string> TargetSelectorTexts(const json& selectors) {
  std::vector<std::string> out;
  if (!selectors.is_array()) return out;
  for (const auto& alt : selectors) {
    if (alt.is_string()) out.push_back(alt.get<std::string>());
    if (alt.is_array() && !alt.empty() && alt.back().is_string())
      out.push_back(alt.back().get<std::string>());
  }
  return out;
}

// A field whose value the recorder would have masked (guide-core privacy.ts, by its selectors:
// the recording is all we have of the element).
bool LooksSensitive(const std::vector<std::string>& selectors) {
  static const std::regex kHint(
      R"(pass(word|wd|code)?|pwd|\bpin\b|card.?(num|no)|cc.?(num|no)|credit.?card|cc-|\bcvv|\bcvc|\bcsc\b|)"
      R"(security.?code|\biban\b|\bssn\b|social.?security|passport|\botp\b|one.?time|verification.?code)",
      std::regex::icase | std::regex::optimize);
  return std::any_of(selectors.begin(), selectors.end(),
                     [](const std::string& s) { return std::regex_search(s, kHint); });
}

// Luhn-valid 13–19 digit numbers: card numbers, never stored whatever field they are in.
bool IsCardNumber(std::string_view value) {
  std::string digits;
  for (char c : value) {
    if (c == ' ' || c == '-') continue;
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    digits += c;
  }
  if (digits.size() < 13 || digits.size() > 19) return false;
  int sum = 0;
  for (size_t i = 0; i < digits.size(); ++i) {
    int d = digits[digits.size() - 1 - i] - '0';
    if (i % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

std::string CssType(const std::vector<std::string>& selectors) {
  static const std::regex kType(R"re(\[type=["']?([a-zA-Z-]+)["']?\])re");
  for (const auto& s : selectors) {
    std::smatch m;
    if (!StartsWith(s, "aria/") && !StartsWith(s, "text/") && std::regex_search(s, m, kType))
      return core::AsciiLower(m[1].str());
  }
  return {};
}

// What a step's target looks like, from its selectors only.
json ElementMetaFrom(const json& selectors, const json& our_selectors) {
  const auto texts = AllSelectorTexts(selectors);
  std::string tag;
  for (const auto& s : TargetSelectorTexts(selectors)) {
    if (StartsWith(s, "aria/") || StartsWith(s, "text/")) continue;
    tag = TagOfSelector(StartsWith(s, "pierce/") ? s.substr(7) : s);
    if (!tag.empty()) break;
  }
  json meta = {{"tag_name", tag.empty() ? "unknown" : tag.substr(0, 64)}};
  const std::string aria = our_selectors.value("aria", json()).is_string()
                               ? our_selectors["aria"].get<std::string>()
                               : std::string();
  if (!aria.empty()) {
    const auto parts = ParseAriaSelector(aria);
    if (!parts.name.empty()) meta["accessible_name"] = core::TruncateUtf8(parts.name, kMaxShortText);
    if (!parts.role.empty() && parts.role.size() <= 64) meta["role"] = parts.role;
  }
  for (const auto& s : texts) {
    if (StartsWith(s, "text/") && s.size() > 5) {
      meta["inner_text"] = core::TruncateUtf8(core::CollapseSpace(s.substr(5)), kMaxShortText);
      break;
    }
  }
  if (const auto type = CssType(texts); !type.empty() && type.size() <= 64) meta["type"] = type;
  return meta;
}

bool Usable(const json& s) {
  for (const char* key : {"primary", "css", "xpath", "xpath_alt", "aria", "pierce", "shadow_chain"}) {
    if (s.contains(key) && !s[key].is_null()) return true;
  }
  return false;
}

}  // namespace

ImportedWorkflow WorkflowFromRecording(const json& recording) {
  const json& rsteps = recording.at("steps");
  ImportedWorkflow result;
  json steps = json::array();
  std::optional<std::string> starting_url;
  std::string page_url;
  json viewport = nullptr;
  // The element the last click or change acted on: Enter is pressed in it.
  std::optional<std::pair<json, json>> focused;

  auto page_context = [&] {
    json pc = {{"url", page_url}, {"title", ""}};
    if (!viewport.is_null()) pc["viewport"] = viewport;
    return pc;
  };
  auto add = [&](size_t source, json step) {
    step["step_number"] = static_cast<int64_t>(steps.size()) + 1;
    steps.push_back(std::move(step));
    result.source.push_back(source);
  };

  for (size_t i = 0; i < rsteps.size(); ++i) {
    const json& rs = rsteps[i];
    const std::string type = Text(rs, "type");
    const std::string at = "/steps/" + std::to_string(i);
    if (type == "setViewport") {
      const double w = rs.value("width", 0.0);
      const double h = rs.value("height", 0.0);
      if (w >= 1 && h >= 1)
        viewport = {{"width", static_cast<int64_t>(w)}, {"height", static_cast<int64_t>(h)}};
      continue;
    }
    if (type == "navigate") {
      const std::string url = Text(rs, "url");
      if (url.empty()) throw Invalid(at + "/url", "a navigate step needs the URL it opens");
      // Every navigate step, not only the first: a walkthrough opens these URLs.
      if (!UrlOrigin(url)) throw Invalid(at + "/url", "a navigate step must open an http(s) URL with a host");
      if (!starting_url) starting_url = url;
      page_url = url;
      focused.reset();
      add(i, {{"action_type", "navigate"},
              {"selectors", NullSelectors()},
              {"element_meta", {{"tag_name", "html"}}},
              {"page_context", page_context()},
              {"action_data", nullptr}});
      continue;
    }
    const bool click = type == "click" || type == "doubleClick";
    const bool change = type == "change";
    const bool enter = type == "keyDown" && Text(rs, "key") == "Enter";
    if (!click && !change && !enter) continue;  // setViewport, keyUp, hover, scroll, waitFor…, close, custom
    if (page_url.empty()) continue;             // before any navigate: no page to act on (reported below)
    if (enter) {
      if (!focused) continue;
      add(i, {{"action_type", "submit"},
              {"selectors", focused->first},
              {"element_meta", focused->second},
              {"page_context", page_context()},
              {"action_data", {{"input_value", nullptr}, {"submit_key", "enter"}}}});
      focused.reset();
      continue;
    }
    const json& rsel = rs.value("selectors", json::array());
    FoldedSelectors folded = FoldRecorderSelectors(rsel);
    json selectors = std::move(folded.selectors);
    if (!Usable(selectors)) continue;
    // The Recorder knows a frame by its index in each ancestor's frames only: frame_path (the
    // iframes' selectors) stays unknown.
    if (const json frame = rs.value("frame", json()); frame.is_array() && !frame.empty())
      selectors["frame_index"] = frame;
    // The alternatives the step cannot hold: variants of the step about to be added.
    const auto step_number = static_cast<int64_t>(steps.size()) + 1;
    for (const auto& x : folded.extra) {
      if (std::count_if(result.variants.begin(), result.variants.end(), [&](const StepVariantSeed& v) {
            return v.step_number == step_number;
          }) >= kMaxVariants)
        break;
      result.variants.push_back({step_number, x["primary"].get<std::string>(), x.dump()});
    }
    json meta = ElementMetaFrom(rsel, selectors);
    if (click) {
      focused = std::make_pair(selectors, meta);
      add(i, {{"action_type", "click"},
              {"selectors", std::move(selectors)},
              {"element_meta", std::move(meta)},
              {"page_context", page_context()},
              {"action_data", {{"input_value", nullptr}, {"click_coordinates", nullptr}}}});
      continue;
    }
    // change: a <select> when a selector names one, else a text field.
    const auto texts = AllSelectorTexts(rsel);
    const bool select = meta["tag_name"] == "select";
    const std::string value = Text(rs, "value");
    const bool masked = IsMaskedPlaceholder(value) || LooksSensitive(texts) || IsCardNumber(value) ||
                        Text(meta, "type") == "password" || Text(meta, "type") == "hidden";
    json action = {{"input_value", masked ? json(nullptr) : json(core::TruncateUtf8(value, kMaxInputValue))},
                   {"value_masked", masked}};
    if (masked) meta["value_masked"] = true;
    focused = std::make_pair(selectors, meta);
    add(i, {{"action_type", select ? "select_change" : "input_commit"},
            {"selectors", std::move(selectors)},
            {"element_meta", std::move(meta)},
            {"page_context", page_context()},
            {"action_data", std::move(action)}});
  }

  if (!starting_url) {
    throw Invalid("/steps", "the recording has no navigate step: record it from the page it starts on");
  }
  const bool any_action =
      std::any_of(steps.begin(), steps.end(), [](const json& s) { return s["action_type"] != "navigate"; });
  if (!any_action) {
    throw Invalid("/steps",
                  "the recording has no step to import: it needs a click, a change or Enter in a field, "
                  "with a selector, after its first navigate step");
  }
  if (steps.size() > kMaxSteps) {
    throw Invalid("/steps", "a workflow holds at most " + std::to_string(kMaxSteps) +
                                " steps; this recording makes " + std::to_string(steps.size()));
  }
  const std::string title = core::Trim(Text(recording, "title"));
  result.body = {{"metadata",
                  {{"name", core::TruncateUtf8(title, 200)},
                   {"description", "Imported from a Chrome DevTools Recorder recording."},
                   {"starting_url", *starting_url}}},
                 {"steps", std::move(steps)}};
  return result;
}

Error RecordingError(const Error& error, const ImportedWorkflow& imported) {
  if (error.Kind() != ErrorKind::kValidation) return error;
  json errors = json::array();
  const json& details = error.Details();
  const json list =
      details.contains("errors") && details["errors"].is_array() ? details["errors"] : json::array();
  for (const auto& e : list) {
    const std::string pointer = e.value("pointer", std::string());
    const std::string message = e.value("message", std::string());
    std::string mapped;
    if (StartsWith(pointer, "/steps/")) {
      const std::string rest = pointer.substr(7);
      const size_t end = rest.find('/');
      size_t k = 0;
      try {
        k = std::stoul(rest.substr(0, end));
      } catch (const std::exception&) {
        k = imported.source.size();
      }
      mapped = k < imported.source.size() ? "/steps/" + std::to_string(imported.source[k]) : "/steps";
    } else if (pointer == "/metadata/name") {
      mapped = "/title";
    } else if (StartsWith(pointer, "/metadata/starting_url")) {
      mapped = "/steps";
    }
    errors.push_back({{"pointer", mapped},
                      {"message", "as a workflow step this is not valid: " + pointer + " " + message}});
  }
  if (errors.empty()) errors.push_back({{"pointer", ""}, {"message", error.what()}});
  return core::ValidationErrors(errors, kNotAWorkflow);
}

}  // namespace stepwise::services
