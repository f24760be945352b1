#pragma once
// Our Selectors object and the Chrome DevTools Recorder's selector lists, both ways: what the
// export writes (RecorderSelectors) and the import reads back (FoldRecorderSelectors), in one
// place so that a round trip keeps a step's selectors. The order of alternatives is guide-core's
// recorderSelectors (packages/guide-core), checked on the same cases by both test suites
// (packages/server/tests/fixtures/recorder_selectors.json).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace stepwise::services {

// The Recorder's limits as the contract states them (DevtoolsSelector, DevtoolsStep).
inline constexpr size_t kRecorderMaxSelectorText = 2000;
inline constexpr size_t kRecorderMaxChain = 10;
inline constexpr size_t kRecorderMaxAlternatives = 20;

// The non-empty strings of a JSON array (a shadow chain, a frame path); empty for anything else.
std::vector<std::string> NonEmptyStrings(const nlohmann::json& arr);

// Our Selectors object with every field null (a step that has no element: navigate).
nlohmann::json NullSelectors();

// Our Selectors object → the Recorder's selector list (alternatives in order of robustness, each
// a chain through shadow roots): the same order as guide-core's recorderSelectors.
std::vector<std::vector<std::string>> RecorderSelectors(const nlohmann::json& selectors);

// "aria/Name[role=\"button\"]" → {Name, button} (the Recorder's ARIA selector form).
struct AriaSelector {
  std::string name;
  std::string role;
};
AriaSelector ParseAriaSelector(std::string_view selector);

// `frame_index` as the Recorder's `frame`: 1 to 10 indexes of 0 to 1000; empty otherwise.
std::vector<int> FrameIndex(const nlohmann::json& selectors);

// The placeholder written instead of a masked value: "<password>" for password fields.
std::string MaskedPlaceholder(const nlohmann::json& element_meta);
// Is this text one of our placeholders? (An imported recording carrying one is masked again.)
bool IsMaskedPlaceholder(std::string_view value);

// The Recorder's selector list → our Selectors object (primary, css, xpath, aria, pierce,
// shadow_chain, …); every field absent from the list is null. A test-id CSS selector is the
// primary and the first other CSS selector the `css`; the first XPath is `xpath`, the second
// `xpath_alt`; the first ARIA, pierce and shadow chain each their field.
nlohmann::json SelectorsFromRecorder(const nlohmann::json& selectors);
// The same, and the alternatives left over (each as a Selectors object with its primary): what
// the import keeps as variants. Text queries are neither (ElementMeta keeps the text), nor the
// `select#x` alternative the export adds for a <select>.
struct FoldedSelectors {
  nlohmann::json selectors;
  std::vector<nlohmann::json> extra;
};
FoldedSelectors FoldRecorderSelectors(const nlohmann::json& selectors);
// The tag a CSS selector (its last compound) or an XPath (its last step) names, lower case;
// empty when it names none ("#id", "[data-x]", "*").
std::string TagOfSelector(std::string_view selector);

}  // namespace stepwise::services
