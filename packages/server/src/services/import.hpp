#pragma once
// A Chrome DevTools Recorder recording → the body of a recorded upload (createWorkflow), so an
// imported workflow takes the same path as a recorded one (validation, storage, labeling).
// Pure: no database, no HTTP.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "services/workflows.hpp"

namespace stepwise::services {

struct ImportedWorkflow {
  nlohmann::json body;         // shaped like a createWorkflow request
  std::vector<size_t> source;  // per workflow step: the index of its recording step
  // Alternatives of a step that its selectors could not hold (a second CSS selector, a third
  // XPath, …): shared `imported` variants of the step, so that export → import keeps them.
  std::vector<StepVariantSeed> variants;
};

// `recording` is a validated DevtoolsRecording. The first `navigate` gives the starting URL and
// every navigate becomes a navigation step; click and doubleClick become clicks, change an
// input_commit (select_change when a selector names a <select>), keyDown Enter a submit on the
// field before it; the rest is dropped. A step's `frame` becomes its selectors' `frame_index`
// (`frame_path` stays null: the recording has no selector for the frames). Values that look
// sensitive (password fields, our own "<password>" placeholders) are stored masked, never as
// text. Throws VALIDATION_ERROR with pointers into the recording when there is no navigate step
// or no usable step.
ImportedWorkflow WorkflowFromRecording(const nlohmann::json& recording);

// A validation error about the converted body (from the createWorkflow schema or the service),
// its pointers turned back into the recording's ("/steps/3/..." → "/steps/<source>").
core::Error RecordingError(const core::Error& error, const ImportedWorkflow& imported);

}  // namespace stepwise::services
