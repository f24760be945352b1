#pragma once
#include <string>

namespace stepwise::core {

// Returns the secret stored at `path`, creating it (random, 48 bytes, base64url) with mode 0600
// on first use. Two processes starting at once agree: the file is created exclusively.
std::string LoadOrCreateSecret(const std::string& path);

}  // namespace stepwise::core
