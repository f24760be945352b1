#pragma once
#include <string_view>
#include <vector>

namespace stepwise {

// A file compiled into the binary (migrations, the API contract).
struct EmbeddedFile {
  std::string_view name;
  std::string_view content;
};

}  // namespace stepwise
