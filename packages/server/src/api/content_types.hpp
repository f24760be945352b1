#pragma once
#include <string_view>

namespace stepwise::api {

// The Content-Type of a served file, from its extension (application/octet-stream otherwise).
const char* ContentTypeFor(std::string_view path);

}  // namespace stepwise::api
