// The local labeler: the best human-readable name of the element, what kind of control it is,
// and the action, as a short label and a one-sentence instruction.
#include <algorithm>
#include <cctype>

#include "ai/labeler.hpp"
#include "core/text.hpp"

namespace stepwise::ai {

namespace {

using nlohmann::json;

std::string Text(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return core::CollapseSpace(it->get<std::string>());
}

// "vendor_name" / "vendorName" / "vendor-name" → "Vendor name".
std::string Humanize(const std::string& raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '_' || c == '-' || c == '.' || c == '[' || c == ']') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (std::isupper(static_cast<unsigned char>(c)) && i > 0 &&
               std::islower(static_cast<unsigned char>(raw[i - 1]))) {
      out += ' ';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  out = core::CollapseSpace(out);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// Without trailing ":" "*" and spaces; a readable length.
std::string Clean(std::string s) {
  while (!s.empty() && (s.back() == ':' || s.back() == '*' || s.back() == ' ')) s.pop_back();
  while (!s.empty() && (s.front() == '*' || s.front() == ' ')) s.erase(s.begin());
  return core::TruncateUtf8(s, 60, true);
}

struct Name {
  std::string text;
  double confidence = 0.3;
};

Name BestName(const StepFacts& f) {
  const json& m = f.element_meta;
  const std::string tag = core::AsciiLower(Text(m, "tag_name"));
  const bool clickable =
      tag == "button" || tag == "a" || Text(m, "role") == "button" || Text(m, "role") == "link";
  const std::pair<const char*, double> order[] = {
      {"label_text", 0.9},   {"aria_label", 0.9}, {"accessible_name", 0.85},
      {"placeholder", 0.75}, {"title", 0.7},      {"alt", 0.7},
  };
  if (clickable) {
    if (auto t = Text(m, "inner_text"); !t.empty() && t.size() <= 80) return {Clean(t), 0.9};
  }
  for (const auto& [key, conf] : order) {
    if (auto t = Text(m, key); !t.empty()) return {Clean(t), conf};
  }
  if (auto t = Text(m, "inner_text"); !t.empty() && t.size() <= 80) return {Clean(t), 0.7};
  if (auto t = Text(m, "name"); !t.empty()) return {Clean(Humanize(t)), 0.6};
  if (auto t = Text(m, "id"); !t.empty()) return {Clean(Humanize(t)), 0.5};
  if (auto t = Text(m, "nearby_text"); !t.empty()) return {Clean(t), 0.45};
  return {};
}

enum class Kind { kButton, kLink, kDropdown, kCheckbox, kRadio, kTab, kMenuItem, kField, kOther };

Kind KindOf(const StepFacts& f) {
  const json& m = f.element_meta;
  const std::string tag = core::AsciiLower(Text(m, "tag_name"));
  const std::string role = core::AsciiLower(Text(m, "role"));
  const std::string type = core::AsciiLower(Text(m, "type"));
  if (role == "tab") return Kind::kTab;
  if (role == "menuitem") return Kind::kMenuItem;
  if (type == "checkbox" || role == "checkbox" || role == "switch") return Kind::kCheckbox;
  if (type == "radio" || role == "radio") return Kind::kRadio;
  if (tag == "select" || role == "combobox" || role == "listbox") return Kind::kDropdown;
  if (tag == "button" || role == "button" || type == "submit" || type == "button") return Kind::kButton;
  if (tag == "a" || role == "link") return Kind::kLink;
  if (tag == "input" || tag == "textarea" || role == "textbox" || role == "searchbox") return Kind::kField;
  return Kind::kOther;
}

const char* Noun(Kind k) {
  switch (k) {
    case Kind::kButton:
      return "button";
    case Kind::kLink:
      return "link";
    case Kind::kDropdown:
      return "dropdown";
    case Kind::kCheckbox:
      return "checkbox";
    case Kind::kRadio:
      return "option";
    case Kind::kTab:
      return "tab";
    case Kind::kMenuItem:
      return "menu item";
    case Kind::kField:
      return "field";
    case Kind::kOther:
      return "element";
  }
  return "element";
}

std::string Quoted(const std::string& s) { return "\u201c" + s + "\u201d"; }

bool Masked(const StepFacts& f) {
  const auto flag = [](const json& o) {
    return o.is_object() && o.contains("value_masked") && o["value_masked"].is_boolean() &&
           o["value_masked"].get<bool>();
  };
  return flag(f.action_data) || flag(f.element_meta) ||
         core::AsciiLower(Text(f.element_meta, "type")) == "password";
}

}  // namespace

ValueKind ValueKindOf(const StepFacts& f) {
  const std::string kind = Text(f.action_data, "value_kind");
  if (kind == "personal") return ValueKind::kPersonal;
  if (kind == "free") return ValueKind::kFree;
  if (kind == "fixed") return ValueKind::kFixed;
  return Masked(f) ? ValueKind::kPersonal : ValueKind::kFixed;
}

bool ShowsEarlierValue(const StepFacts& f) {
  return f.action_data.is_object() && f.action_data.contains("value_from") &&
         f.action_data["value_from"].is_number_integer();
}

namespace {

// "Username" → "username", "First name" → "first name"; "SSN" and "VAT ID" stay as they are.
std::string InSentence(const std::string& name) {
  if (name.size() >= 2 && std::isupper(static_cast<unsigned char>(name[0])) &&
      std::islower(static_cast<unsigned char>(name[1]))) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(name[0]))) + name.substr(1);
  }
  return name;
}

bool IsSearch(const StepFacts& f) {
  const json& m = f.element_meta;
  return core::AsciiLower(Text(m, "type")) == "search" || core::AsciiLower(Text(m, "role")) == "searchbox";
}

// A step whose target shows a value typed earlier (the link to the page just created): it is
// named by what it is, never by the admin's value.
Label EarlierValueLabel(const StepFacts& f, Kind kind) {
  Label out;
  out.model = "local";
  out.confidence = 0.7;
  if (f.action_type == "select_change") {
    const Name name = BestName(f);
    out.field_label = name.text.empty() ? "The option you created" : name.text;
    out.instruction = "Choose the one you just created" +
                      (name.text.empty() ? std::string(".") : " in the " + name.text + " dropdown.");
  } else if (f.action_type == "navigate" || kind == Kind::kLink) {
    out.field_label = "The page you created";
    out.instruction =
        f.action_type == "navigate" ? "Go to the page you just created." : "Open the page you just created.";
  } else {
    out.field_label = "The item you created";
    out.instruction = "Click the item you just created.";
  }
  return out;
}

std::string PageName(const StepFacts& f) {
  if (auto t = Text(f.page_context, "title"); !t.empty()) return Clean(t);
  const std::string url = Text(f.page_context, "url");
  const auto scheme = url.find("://");
  const auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (path == std::string::npos) return {};
  std::string p = url.substr(path, url.find_first_of("?#", path) - path);
  return p == "/" ? std::string() : Clean(p);
}

}  // namespace

Label LocalLabel(const StepFacts& f) {
  Label out;
  out.model = "local";
  const Kind kind = KindOf(f);
  if (ShowsEarlierValue(f)) return EarlierValueLabel(f, kind);
  Name name = BestName(f);
  const bool named = !name.text.empty();
  const ValueKind value_kind = ValueKindOf(f);
  // Only a fixed value is ever quoted: a personal or free one is the admin's own.
  const std::string value = Masked(f) || value_kind != ValueKind::kFixed
                                ? std::string()
                                : Clean(Text(f.action_data, "input_value"));
  const std::string& action = f.action_type;

  if (action == "navigate") {
    const std::string page = PageName(f);
    out.field_label = page.empty() ? "Open the page" : page;
    out.instruction =
        page.empty() ? "Open the page where this task starts." : "Go to the " + Quoted(page) + " page.";
    out.confidence = page.empty() ? 0.3 : 0.7;
    return out;
  }
  if (name.text.empty()) {
    // Nothing names the element: say what kind it is, and where.
    const std::string page = PageName(f);
    name.text =
        std::string(1, static_cast<char>(std::toupper(Noun(kind)[0]))) + std::string(Noun(kind)).substr(1);
    name.confidence = 0.3;
    if (!page.empty()) name.text += " on " + page;
  }
  out.field_label = core::TruncateUtf8(name.text, 100, true);
  out.confidence = name.confidence;
  const std::string noun = Noun(kind);
  std::string ins;
  if (action == "input_commit") {
    if (core::AsciiLower(Text(f.element_meta, "type")) == "password") {
      ins = "Enter your password in the " + name.text + " field.";
    } else if (value_kind == ValueKind::kPersonal) {
      ins = named ? "Enter your " + InSentence(name.text) + "."
                  : "Enter your own value in the " + name.text + ".";
    } else if (value_kind == ValueKind::kFree) {
      ins = IsSearch(f) ? "Type what you are looking for in the " + name.text + " field."
            : named     ? "Type the " + InSentence(name.text) + " you want."
                        : "Type your own text in the " + name.text + ".";
    } else if (Masked(f)) {
      ins = "Enter the value in the " + name.text + " field.";
    } else if (!value.empty()) {
      ins = "Enter " + Quoted(value) + " in the " + name.text + " field.";
    } else {
      ins = "Fill in the " + name.text + " field.";
    }
  } else if (action == "select_change") {
    const std::string what = kind == Kind::kCheckbox || kind == Kind::kRadio ? noun : "dropdown";
    if (value_kind == ValueKind::kPersonal && named) {
      ins = "Choose your " + InSentence(name.text) + " in the " + name.text + " " + what + ".";
    } else {
      ins = value.empty() ? "Choose an option in the " + name.text + " " + what + "."
                          : "Select " + Quoted(value) + " in the " + name.text + " " + what + ".";
    }
  } else if (action == "submit") {
    ins = kind == Kind::kButton ? "Click " + Quoted(name.text) + " to submit the form."
                                : "Submit the " + name.text + " form.";
  } else {  // click
    switch (kind) {
      case Kind::kCheckbox:
        ins = "Tick the " + Quoted(name.text) + " checkbox.";
        break;
      case Kind::kRadio:
        ins = "Choose " + Quoted(name.text) + ".";
        break;
      case Kind::kTab:
        ins = "Open the " + Quoted(name.text) + " tab.";
        break;
      case Kind::kField:
        ins = "Click in the " + name.text + " field.";
        break;
      case Kind::kOther:
        ins = "Click " + Quoted(name.text) + ".";
        break;
      default:
        ins = "Click the " + Quoted(name.text) + " " + noun + ".";
        break;
    }
  }
  out.instruction = core::TruncateUtf8(ins, 500, true);
  return out;
}

std::string BuildPrompt(const StepFacts& f) {
  const json& m = f.element_meta;
  auto field = [&](const char* key) {
    auto t = Text(m, key);
    return t.empty() ? std::string("N/A") : core::TruncateUtf8(t, 300, true);
  };
  if (ShowsEarlierValue(f)) {
    // The element's text and the page title show the admin's own value (a title typed earlier):
    // none of it goes into the prompt, which says what the element is instead.
    std::string p =
        "You are helping create interactive workflow guides.\n"
        "Write a label and an instruction for this step without quoting any name or text from the "
        "element: its text is a value the user typed in an earlier step, and will be different for "
        "every user.\n\nELEMENT INFORMATION:\n";
    p += "- Tag: " + field("tag_name") + "\n- Role: " + field("role") + "\n";
    p += "- Target: the item the user just created in an earlier step\n\nACTION: " + f.action_type + "\n";
    p += "\nRESPOND IN JSON:\n{\n  \"field_label\": \"...\",\n  \"instruction\": \"...\",\n  \"confidence\": "
         "85\n}";
    return p;
  }
  std::string p =
      "You are helping create interactive workflow guides.\n"
      "Analyze this screenshot and element data to generate clear, helpful labels.\n\n"
      "ELEMENT INFORMATION:\n";
  p += "- Tag: " + field("tag_name") + "\n";
  p += "- Type: " + field("type") + "\n";
  p += "- Role: " + field("role") + "\n";
  p += "- Label: " + field("label_text") + "\n";
  p += "- Accessible name: " + field("accessible_name") + "\n";
  p += "- Placeholder: " + field("placeholder") + "\n";
  p += "- Name attribute: " + field("name") + "\n";
  p += "- Text: " + field("inner_text") + "\n";
  p += "- Nearby text: " + field("nearby_text") + "\n";
  p += "- Page title: " + (Text(f.page_context, "title").empty() ? "N/A" : Text(f.page_context, "title")) +
       "\n\n";
  p += "ACTION: " + f.action_type + "\n";
  const ValueKind kind = ValueKindOf(f);
  if (Masked(f)) {
    p += "VALUE: (sensitive, not shown; each user enters their own)\n";
  } else if (kind == ValueKind::kPersonal) {
    p += "VALUE: the user's own (not shown). Write \"Enter your <field>\"; never quote a value.\n";
  } else if (kind == ValueKind::kFree) {
    p += "VALUE: each user types their own (not shown). Write \"Type the <field> you want\"; never quote a "
         "value.\n";
  } else {
    const std::string value = Text(f.action_data, "input_value");
    if (!value.empty())
      p += "VALUE: " + core::TruncateUtf8(value, 200, true) + " (required by the task: quote it)\n";
  }
  p += "\nYOUR TASK:\nGenerate:\n1. Short field label (max 5 words)\n"
       "2. Brief instruction (1-2 sentences, action-oriented)\n3. Confidence (0-100)\n\n"
       "RESPOND IN JSON:\n{\n  \"field_label\": \"...\",\n  \"instruction\": \"...\",\n  \"confidence\": "
       "85\n}";
  return p;
}

std::optional<Label> ParseLabel(std::string_view text, const std::string& model) {
  // Candidates: the whole text, a fenced block, the outermost {...}.
  std::vector<std::string> candidates{std::string(text)};
  if (auto fence = text.find("```"); fence != std::string_view::npos) {
    auto start = text.find('\n', fence);
    auto end = start == std::string_view::npos ? start : text.find("```", start);
    if (end != std::string_view::npos) candidates.emplace_back(text.substr(start + 1, end - start - 1));
  }
  if (auto a = text.find('{'), b = text.rfind('}');
      a != std::string_view::npos && b != std::string_view::npos && b > a) {
    candidates.emplace_back(text.substr(a, b - a + 1));
  }
  for (const auto& c : candidates) {
    auto j = json::parse(c, nullptr, false);
    if (!j.is_object()) continue;
    if (!j.contains("field_label") || !j["field_label"].is_string()) return std::nullopt;
    if (!j.contains("instruction") || !j["instruction"].is_string()) return std::nullopt;
    if (!j.contains("confidence") || !j["confidence"].is_number()) return std::nullopt;
    Label l;
    l.field_label = core::TruncateUtf8(core::CollapseSpace(j["field_label"].get<std::string>()), 100, true);
    l.instruction = core::TruncateUtf8(core::CollapseSpace(j["instruction"].get<std::string>()), 500, true);
    if (l.field_label.empty() || l.instruction.empty()) return std::nullopt;
    double c01 = j["confidence"].get<double>();
    if (c01 > 1.0) c01 /= 100.0;
    l.confidence = std::clamp(c01, 0.0, 1.0);
    l.model = model;
    return l;
  }
  return std::nullopt;
}

}  // namespace stepwise::ai
