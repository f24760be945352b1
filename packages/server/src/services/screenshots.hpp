#pragma once
// Step screenshots: verified (hash, real image), de-duplicated per company, stored in the blob
// store, thumbnailed off the request path, removed when nothing uses them. Every call blocks.
#include <optional>
#include <string>
#include <string_view>

#include "core/versions.hpp"
#include "services/accounts.hpp"
#include "storage/blobs/blob_store.hpp"
#include "storage/db/database.hpp"
#include "storage/db/records.hpp"

namespace stepwise::services {

struct ScreenshotUpload {
  std::string_view bytes;
  std::string declared_type;  // the part's Content-Type, "" when absent
  std::string image_hash;     // "sha256:<hex>"
  std::optional<int64_t> workflow_id;
  std::optional<std::string> client_step_id;
};

struct UploadResult {
  storage::ScreenshotRecord screenshot;
  bool created = false;  // false: the company had this image already
};

class ScreenshotService {
 public:
  // `versions` (optional) is bumped for a company when a thumbnail appears (details show it).
  // `signing_key` signs the local store's blob URLs (see storage::OpenBlobStore).
  ScreenshotService(storage::Database& db, storage::BlobStore& blobs,
                    core::VersionCounters* versions = nullptr, std::string signing_key = {})
      : db_(db), blobs_(blobs), versions_(versions), signing_key_(std::move(signing_key)) {}

  // A URL a browser can GET for `ttl_seconds` without a token: a path on this server for the
  // local store (the api layer makes it absolute), a pre-signed URL for S3.
  std::string SignedUrl(const std::string& key, int64_t now_unix, int ttl_seconds) const;
  // The bytes behind a local signed URL: 403 when the key, expiry or signature does not hold,
  // nullopt when the object is gone.
  std::optional<std::string> ReadSigned(const std::string& key, int64_t expires, std::string_view sig,
                                        int64_t now_unix);

  static constexpr int64_t kMaxImageBytes = 10 * 1024 * 1024;

  UploadResult Upload(const Caller& caller, const ScreenshotUpload& upload);
  storage::ScreenshotRecord Get(const Caller& caller, int64_t id);
  // Makes and stores the thumbnail of a screenshot that lacks one (idempotent).
  void EnsureThumbnail(int64_t company_id, int64_t id);
  // Removes screenshots never attached to a workflow and older than `max_age_ms` (rows, then
  // blobs). Safe to run twice at once. Returns how many went.
  int RemoveOrphans(int64_t max_age_ms);
  // Start-up housekeeping of a local blob store: temporary files of writes a crash cut short,
  // and screenshot files no row refers to (a crash between writing the file and its row, or
  // between deleting a row and its file) older than `older_than_ms`. Returns {temporaries,
  // unreferenced} removed.
  std::pair<int, int> SweepStore(int64_t older_than_ms);
  std::pair<int64_t, int64_t> Usage(const Caller& caller);  // count, bytes

 private:
  storage::Database& db_;
  storage::BlobStore& blobs_;
  core::VersionCounters* versions_;
  std::string signing_key_;
};

}  // namespace stepwise::services
