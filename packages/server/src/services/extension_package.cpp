#include "services/extension_package.hpp"

#include <zip.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "services/workflows.hpp"

namespace stepwise::services {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr uintmax_t kMaxFileBytes = 32ULL * 1024 * 1024;
constexpr size_t kMaxFiles = 2000;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Owns a libzip archive writing into a memory source, and gives the bytes back.
class MemoryZip {
 public:
  MemoryZip() {
    zip_error_t error;
    zip_error_init(&error);
    source_ = zip_source_buffer_create(nullptr, 0, 0, &error);
    if (source_ == nullptr) throw std::runtime_error(zip_error_strerror(&error));
    zip_source_keep(source_);  // read back after zip_close
    archive_ = zip_open_from_source(source_, ZIP_TRUNCATE, &error);
    if (archive_ == nullptr) {
      const std::string why = zip_error_strerror(&error);
      zip_error_fini(&error);
      zip_source_free(source_);
      zip_source_free(source_);
      throw std::runtime_error(why);
    }
    zip_error_fini(&error);
  }
  MemoryZip(const MemoryZip&) = delete;
  MemoryZip& operator=(const MemoryZip&) = delete;
  ~MemoryZip() {
    if (archive_ != nullptr) zip_discard(archive_);
    zip_source_free(source_);
  }

  void Add(const std::string& name, std::string data) {
    const std::string& kept = data_.emplace_back(std::move(data));
    zip_source_t* file = zip_source_buffer(archive_, kept.data(), kept.size(), 0);
    if (file == nullptr || zip_file_add(archive_, name.c_str(), file, ZIP_FL_ENC_UTF_8) < 0) {
      if (file != nullptr) zip_source_free(file);
      throw std::runtime_error(std::string("zip: ") + zip_strerror(archive_));
    }
  }

  std::string Finish() {
    if (zip_close(archive_) < 0) throw std::runtime_error(std::string("zip: ") + zip_strerror(archive_));
    archive_ = nullptr;
    if (zip_source_open(source_) < 0) throw std::runtime_error("zip: cannot read the archive back");
    std::string out;
    if (zip_source_seek(source_, 0, SEEK_END) == 0) {
      const zip_int64_t size = zip_source_tell(source_);
      zip_source_seek(source_, 0, SEEK_SET);
      if (size > 0) {
        out.resize(static_cast<size_t>(size));
        const zip_int64_t got = zip_source_read(source_, out.data(), static_cast<zip_uint64_t>(size));
        out.resize(got > 0 ? static_cast<size_t>(got) : 0);
      }
    }
    zip_source_close(source_);
    return out;
  }

 private:
  zip_source_t* source_ = nullptr;
  zip_t* archive_ = nullptr;
  std::deque<std::string> data_;  // the files' bytes, alive until zip_close
};

}  // namespace

std::string ManifestFor(const std::string& manifest_json, const std::string& origin) {
  json manifest = json::parse(manifest_json, nullptr, false);
  if (!manifest.is_object()) throw std::runtime_error("manifest.json is not a JSON object");
  const auto scheme_end = origin.find("://");
  std::string host = origin.substr(scheme_end + 3);
  if (host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  const std::string pattern = origin.substr(0, scheme_end) + "://" + host + "/*";
  json& connectable = manifest["externally_connectable"];
  if (!connectable.is_object()) connectable = json::object();
  json& matches = connectable["matches"];
  if (!matches.is_array()) matches = json::array();
  if (std::find(matches.begin(), matches.end(), pattern) == matches.end()) matches.push_back(pattern);
  return manifest.dump(2);
}

std::shared_ptr<const std::string> ExtensionPackage::Zip() {
  const std::lock_guard lock(mu_);
  if (!zip_) zip_ = std::make_shared<const std::string>(Build());
  return zip_;
}

std::string ExtensionPackage::Build() {
  std::error_code ec;
  if (!fs::is_regular_file(dir_ / "manifest.json", ec)) {
    throw core::NotFound(
        "EXTENSION_NOT_BUILT",
        "The extension is not built on this server (make build builds it into " + dir_.string() + ")");
  }
  const auto origin = UrlOrigin(public_url_);
  if (!origin) throw std::runtime_error("PUBLIC_URL is not an http(s) URL: " + public_url_);
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir_, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;  // links and specials stay out
    if (files.size() >= kMaxFiles || it->file_size() > kMaxFileBytes)
      throw std::runtime_error("the extension folder holds more than an extension: " + dir_.string());
    files.push_back(it->path());
  }
  if (ec) throw std::runtime_error("cannot list " + dir_.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  MemoryZip zip;
  for (const auto& path : files) {
    const std::string name = fs::relative(path, dir_).generic_string();
    if (name == "server.json") continue;  // ours, below
    std::string data = ReadFile(path);
    if (name == "manifest.json") data = ManifestFor(data, *origin);
    zip.Add(name, std::move(data));
  }
  zip.Add("server.json", json{{"server_url", public_url_}}.dump(2) + "\n");
  std::string bytes = zip.Finish();
  core::LogInfo("extension zip made", {{"files", files.size() + 1}, {"bytes", bytes.size()}});
  return bytes;
}

}  // namespace stepwise::services
