#include "storage/blobs/blob_store.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "core/crypto.hpp"
#include "core/metrics.hpp"
#include "storage/blobs/file_blob_store.hpp"
#include "storage/blobs/s3_blob_store.hpp"

namespace stepwise::storage {
namespace {

constexpr size_t kMaxKeyBytes = 512;

bool KeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

bool IsValidBlobKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes) return false;
  size_t start = 0;
  while (true) {
    const size_t slash = key.find('/', start);
    const std::string_view segment =
        key.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return false;
    for (char c : segment) {
      if (!KeyChar(c)) return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

namespace {

// Every store counted: operations and errors by kind, and their time (GET /metrics).
class MeteredBlobStore final : public BlobStore {
 public:
  explicit MeteredBlobStore(std::unique_ptr<BlobStore> inner) : inner_(std::move(inner)) {}
  void Put(const std::string& key, std::string_view bytes, const std::string& content_type) override {
    Timed("put", [&] { inner_->Put(key, bytes, content_type); });
  }
  std::optional<std::string> Get(const std::string& key) override {
    std::optional<std::string> out;
    Timed("get", [&] { out = inner_->Get(key); });
    return out;
  }
  void Delete(const std::string& key) override {
    Timed("delete", [&] { inner_->Delete(key); });
  }
  bool Exists(const std::string& key) override {
    bool out = false;
    Timed("exists", [&] { out = inner_->Exists(key); });
    return out;
  }
  std::string SignedGetUrl(const std::string& key, int64_t now_unix, int ttl_seconds) override {
    return inner_->SignedGetUrl(key, now_unix, ttl_seconds);
  }
  int RemoveStaleTemporaries(int64_t older_than_ms) override {
    return inner_->RemoveStaleTemporaries(older_than_ms);
  }
  bool ForEachLocal(const std::function<void(const std::string& key, int64_t modified_ms)>& fn) override {
    return inner_->ForEachLocal(fn);
  }

 private:
  template <class F>
  void Timed(const char* op, F&& fn) {
    static auto& ops = core::metrics::Default().Counters("stepwise_blob_operations_total",
                                                         "Blob store operations, by operation and outcome.",
                                                         {"op", "outcome"});
    static auto& time = core::metrics::Default().Histograms(
        "stepwise_blob_operation_duration_seconds", "Time a blob store operation took, in seconds.", {"op"});
    const auto start = std::chrono::steady_clock::now();
    try {
      fn();
    } catch (...) {
      ops.With({op, "error"}).Inc();
      time.With({op}).Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      throw;
    }
    ops.With({op, "ok"}).Inc();
    time.With({op}).Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::unique_ptr<BlobStore> inner_;
};

std::unique_ptr<BlobStore> OpenUnmetered(const std::string& storage_url, const std::string& data_dir,
                                         const std::string& signing_key);

}  // namespace

std::unique_ptr<BlobStore> OpenBlobStore(const std::string& storage_url, const std::string& data_dir,
                                         const std::string& signing_key) {
  return std::make_unique<MeteredBlobStore>(OpenUnmetered(storage_url, data_dir, signing_key));
}

namespace {

std::unique_ptr<BlobStore> OpenUnmetered(const std::string& storage_url, const std::string& data_dir,
                                         const std::string& signing_key) {
  if (storage_url.empty()) {
    return OpenFileBlobStore(std::filesystem::path(data_dir.empty() ? "." : data_dir) / "blobs", signing_key);
  }
  constexpr std::string_view kFile = "file://";
  constexpr std::string_view kS3 = "s3://";
  if (storage_url.starts_with(kFile)) {
    const std::string path = storage_url.substr(kFile.size());
    if (path.empty())
      throw std::invalid_argument("STORAGE_URL file:// needs a directory, e.g. file://./data/blobs");
    if (path.find('?') != std::string::npos || path.find('#') != std::string::npos) {
      throw std::invalid_argument("STORAGE_URL file:// takes a plain directory path, without ? or #");
    }
    return OpenFileBlobStore(path, signing_key);
  }
  if (storage_url.starts_with(kS3)) {
    S3Config config = ParseS3Url(storage_url);
    config.credentials.access_key_id = Env("AWS_ACCESS_KEY_ID");
    config.credentials.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
    config.credentials.session_token = Env("AWS_SESSION_TOKEN");
    if (config.credentials.access_key_id.empty() || config.credentials.secret_access_key.empty()) {
      throw std::invalid_argument(
          "STORAGE_URL is s3:// but AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY is not set");
    }
    return OpenS3BlobStore(std::move(config));
  }
  throw std::invalid_argument("STORAGE_URL must start with file:// or s3://");
}

}  // namespace

bool VerifyLocalBlobSignature(const std::string& signing_key, const std::string& key, int64_t expires,
                              std::string_view sig_hex, int64_t now_unix) {
  if (signing_key.empty() || !IsValidBlobKey(key) || expires <= now_unix) return false;
  return core::ConstantTimeEquals(LocalBlobSignature(signing_key, key, expires), sig_hex);
}

}  // namespace stepwise::storage
