#include "services/recorder_selectors.hpp"

#include <algorithm>
#include <optional>
#include <regex>

#include "core/text.hpp"

namespace stepwise::services {

using nlohmann::json;

namespace {

// The bounds of our Selectors schema (openapi.yaml).
constexpr size_t kMaxSelector = 1000;
constexpr size_t kMaxXpath = 2000;
constexpr size_t kMaxAria = 200;
constexpr size_t kMaxShadowChain = 20;
constexpr size_t kMaxFrameDepth = 10;  // Selectors.frame_index, DevtoolsStep.frame
constexpr int kMaxFrameIndex = 1000;

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string Text(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::vector<std::string> NonEmptyStrings(const json& arr) {
  std::vector<std::string> out;
  if (!arr.is_array()) return out;
  for (const auto& v : arr) {
    if (v.is_string() && !v.get<std::string>().empty()) out.push_back(v.get<std::string>());
  }
  return out;
}

json NullSelectors() {
  return {{"primary", nullptr},
          {"css", nullptr},
          {"xpath", nullptr},
          {"data_testid", nullptr},
          {"stable_attrs", nullptr}};
}

std::vector<int> FrameIndex(const json& selectors) {
  std::vector<int> out;
  if (!selectors.is_object()) return out;
  const auto it = selectors.find("frame_index");
  if (it == selectors.end() || !it->is_array() || it->empty() || it->size() > kMaxFrameDepth) return out;
  for (const auto& v : *it) {
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > kMaxFrameIndex) return {};
    out.push_back(static_cast<int>(v.get<int64_t>()));
  }
  return out;
}

std::string MaskedPlaceholder(const json& element_meta) {
  const std::string type = core::AsciiLower(Text(element_meta, "type"));
  return type == "password" ? "<password>" : "<masked>";
}

bool IsMaskedPlaceholder(std::string_view value) { return value == "<password>" || value == "<masked>"; }

AriaSelector ParseAriaSelector(std::string_view sel) {
  std::string_view body = sel.substr(5);
  AriaSelector a;
  const auto p = body.rfind("[role=\"");
  if (p != std::string_view::npos && body.size() >= p + 9 && body.substr(body.size() - 2) == "\"]") {
    const std::string_view role = body.substr(p + 7, body.size() - 2 - (p + 7));
    if (role.find('"') == std::string_view::npos) {
      a.role = std::string(role);
      body = body.substr(0, p);
    }
  }
  a.name = core::Trim(body);
  return a;
}

std::vector<std::vector<std::string>> RecorderSelectors(const json& s) {
  std::vector<std::vector<std::string>> out;
  auto push = [&](std::vector<std::string> chain) {
    if (chain.empty() || chain.size() > kRecorderMaxChain || out.size() >= kRecorderMaxAlternatives) return;
    for (const auto& part : chain) {
      if (part.empty() || part.size() > kRecorderMaxSelectorText) return;
    }
    if (std::find(out.begin(), out.end(), chain) != out.end()) return;
    out.push_back(std::move(chain));
  };
  auto one = [&](const std::string& sel) {
    if (!sel.empty()) push({sel});
  };
  auto xpath = [](const std::string& x) {
    return x.empty() ? x : StartsWith(x, "xpath/") ? x : "xpath/" + x;
  };
  if (!s.is_object()) return out;
  const std::string aria = Text(s, "aria");
  const std::string pierce = Text(s, "pierce");
  const auto chain = NonEmptyStrings(s.value("shadow_chain", json()));
  if (!chain.empty()) {
    // Inside shadow roots only chains and pierce/ reach the element.
    push(chain);
    one(aria);
    one(pierce);
    return out;
  }
  one(aria);
  std::string primary = Text(s, "primary");
  if (!primary.empty() && (primary[0] == '/' || primary[0] == '(')) primary = xpath(primary);
  if (!StartsWith(primary, "aria/")) one(primary);
  one(Text(s, "css"));
  one(xpath(Text(s, "xpath")));
  one(xpath(Text(s, "xpath_alt")));
  one(pierce);
  return out;
}

std::string TagOfSelector(std::string_view sel) {
  std::string_view last;
  if (StartsWith(sel, "xpath/")) sel = sel.substr(6);
  if (!sel.empty() && (sel[0] == '/' || sel[0] == '(')) {
    // XPath: the last location step, up to its predicates.
    const auto slash = sel.rfind('/');
    last = sel.substr(slash + 1);
  } else {
    // CSS: the last compound selector, outside brackets, parentheses and quotes.
    int depth = 0;
    char quote = 0;
    size_t start = 0;
    for (size_t i = 0; i < sel.size(); ++i) {
      const char c = sel[i];
      if (quote != 0) {
        if (c == '\\') {
          ++i;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[' || c == '(') {
        ++depth;
      } else if ((c == ']' || c == ')') && depth > 0) {
        --depth;
      } else if (depth == 0 && (c == ' ' || c == '>' || c == '+' || c == '~' || c == ',')) {
        start = i + 1;
      }
    }
    last = sel.substr(std::min(start, sel.size()));
  }
  size_t n = 0;
  while (n < last.size() && (std::isalnum(static_cast<unsigned char>(last[n])) != 0 || last[n] == '-')) ++n;
  if (n == 0 || std::isalpha(static_cast<unsigned char>(last[0])) == 0) return {};
  return core::AsciiLower(std::string(last.substr(0, n)));
}

FoldedSelectors FoldRecorderSelectors(const json& selectors) {
  FoldedSelectors result;
  json& out = result.selectors;
  out = NullSelectors();
  if (!selectors.is_array()) return result;
  std::vector<std::vector<std::string>> chains;
  std::vector<std::string> arias;
  std::vector<std::string> pierces;
  std::vector<std::string> xpaths;
  std::vector<std::string> css;
  auto add_once = [](std::vector<std::string>& list, const std::string& value, size_t max) {
    if (!value.empty() && value.size() <= max && std::find(list.begin(), list.end(), value) == list.end())
      list.push_back(value);
  };
  for (const auto& alt : selectors) {
    std::vector<std::string> chain;
    if (alt.is_string()) chain.push_back(alt.get<std::string>());
    if (alt.is_array()) {
      for (const auto& part : alt) {
        if (part.is_string()) chain.push_back(part.get<std::string>());
      }
    }
    if (chain.empty()) continue;
    if (chain.size() > 1) {
      // A chain through shadow roots.
      const bool fits = chain.size() <= kMaxShadowChain &&
                        std::all_of(chain.begin(), chain.end(), [](const std::string& c) {
                          return !c.empty() && c.size() <= kMaxSelector;
                        });
      if (fits && std::find(chains.begin(), chains.end(), chain) == chains.end()) chains.push_back(chain);
      continue;
    }
    const std::string& s = chain.front();
    if (StartsWith(s, "aria/")) {
      add_once(arias, s, kMaxAria);
    } else if (StartsWith(s, "xpath/")) {
      add_once(xpaths, s.substr(6), kMaxXpath);
    } else if (!s.empty() && (s[0] == '/' || s[0] == '(')) {
      add_once(xpaths, s, kMaxXpath);
    } else if (StartsWith(s, "pierce/")) {
      add_once(pierces, s, kMaxSelector);
    } else if (StartsWith(s, "text/")) {
      // No Selectors field takes a text query; ElementMeta keeps the text.
    } else {
      add_once(css, s, kMaxSelector);
    }
  }
  std::vector<std::string> extra_keys;
  auto extra = [&](const std::string& primary, const char* key, const json& value) {
    if (primary.empty() || primary.size() > kMaxXpath) return;
    if (std::find(extra_keys.begin(), extra_keys.end(), primary) != extra_keys.end()) return;
    extra_keys.push_back(primary);
    result.extra.push_back({{"primary", primary}, {key, value}});
  };
  for (size_t i = 0; i < chains.size(); ++i) {
    if (i == 0) {
      out["shadow_chain"] = chains[i];
    } else {
      extra(chains[i].back(), "shadow_chain", chains[i]);
    }
  }
  for (size_t i = 0; i < arias.size(); ++i) {
    if (i == 0) {
      out["aria"] = arias[i];
    } else {
      extra(arias[i], "aria", arias[i]);
    }
  }
  for (size_t i = 0; i < pierces.size(); ++i) {
    if (i == 0) {
      out["pierce"] = pierces[i];
    } else {
      extra(pierces[i], "pierce", pierces[i]);
    }
  }
  for (size_t i = 0; i < xpaths.size(); ++i) {
    if (i == 0) {
      out["xpath"] = xpaths[i];
    } else if (i == 1) {
      out["xpath_alt"] = xpaths[i];
    } else {
      extra("xpath/" + xpaths[i], "xpath", xpaths[i]);
    }
  }
  // A test id is the most robust selector there is: the primary. `css` is the first other one.
  static const std::regex kTestId(
      R"re(^\[(data-testid|data-test-id|data-test|data-qa|data-cy)=["']([^"']{1,200})["']\]$)re");
  std::optional<std::string> test_id;
  for (const auto& c : css) {
    std::smatch m;
    if (std::regex_match(c, m, kTestId)) {
      test_id = c;
      out["data_testid"] = m[2].str();
      out["primary"] = c;
      break;
    }
  }
  std::optional<std::string> css_field;
  for (const auto& c : css) {
    if (c != test_id) {
      css_field = c;
      break;
    }
  }
  if (!css_field) css_field = test_id;
  if (css_field) out["css"] = *css_field;
  for (const auto& c : css) {
    if (c == test_id || c == css_field) continue;
    // The export's `select#x` for a <select> whose other selectors name no tag: a hint, not a design.
    const bool select_hint =
        StartsWith(c, "select") && std::find(css.begin(), css.end(), c.substr(6)) != css.end();
    if (!select_hint) extra(c, "css", c);
  }
  if (out["primary"].is_null()) {
    if (!out["css"].is_null()) {
      out["primary"] = out["css"];
    } else if (out.contains("aria") && !out["aria"].is_null()) {
      out["primary"] = out["aria"];
    } else if (!out["xpath"].is_null() && out["xpath"].get<std::string>().size() + 6 <= kMaxSelector) {
      out["primary"] = "xpath/" + out["xpath"].get<std::string>();
    } else if (out.contains("pierce")) {
      out["primary"] = out["pierce"];
    }
  }
  return result;
}

json SelectorsFromRecorder(const json& selectors) { return FoldRecorderSelectors(selectors).selectors; }

}  // namespace stepwise::services
