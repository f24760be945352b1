#pragma once
// The Chrome extension as a zip for this server: the built extension (EXTENSION_DIR) with
// `server.json` naming the server it connects to by default, and the manifest's
// `externally_connectable` letting the dashboard at that origin hand it a sign-in.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace stepwise::services {

// The manifest with `origin` ("https://stepwise.example.com") added to
// externally_connectable.matches (as "<scheme>://<host>/*": a match pattern's port is any port).
// Throws std::runtime_error when the manifest is not a JSON object.
std::string ManifestFor(const std::string& manifest_json, const std::string& origin);

class ExtensionPackage {
 public:
  ExtensionPackage(std::filesystem::path dir, std::string public_url)
      : dir_(std::move(dir)), public_url_(std::move(public_url)) {}

  // Made on first call and kept. 404 EXTENSION_NOT_BUILT without a built extension.
  std::shared_ptr<const std::string> Zip();

 private:
  std::string Build();

  std::filesystem::path dir_;
  std::string public_url_;
  std::mutex mu_;
  std::shared_ptr<const std::string> zip_;
};

}  // namespace stepwise::services
