#pragma once
// Screenshot bytes live in a blob store chosen by STORAGE_URL:
//   file://./data/blobs                          local files (default)
//   s3://bucket/prefix?endpoint=…&region=…&path_style=true   S3 or any S3-compatible store
// Keys look like "companies/42/screenshots/<sha256>.jpg". Browsers fetch bytes through signed,
// expiring URLs so that <img> tags work without an Authorization header.
// All calls block: run them on a pool thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace stepwise::storage {

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Stores the bytes under `key` (atomically: readers never see a partial object). Overwrites.
  virtual void Put(const std::string& key, std::string_view bytes, const std::string& content_type) = 0;
  // nullopt when there is no such object.
  virtual std::optional<std::string> Get(const std::string& key) = 0;
  // Idempotent: deleting a missing key is not an error.
  virtual void Delete(const std::string& key) = 0;
  virtual bool Exists(const std::string& key) = 0;
  // A URL a browser can GET for `ttl_seconds` (15 minutes by default): for the local store a
  // path on this server ("/api/blobs/<key>?expires=<unix>&sig=<hex hmac>"), for S3 a pre-signed
  // GET URL. `now_unix` is explicit for tests.
  virtual std::string SignedGetUrl(const std::string& key, int64_t now_unix, int ttl_seconds = 900) = 0;

  // Start-up housekeeping of a local store (a remote store cleans up with its own lifecycle
  // rules: both are no-ops there). Removes temporary files of writes that never finished (a
  // crash mid-write) older than `older_than_ms`; returns how many.
  virtual int RemoveStaleTemporaries(int64_t /*older_than_ms*/) { return 0; }
  // Calls `fn` with every object's key and modification time (Unix milliseconds); false when
  // the store cannot list (remote stores).
  virtual bool ForEachLocal(const std::function<void(const std::string& key, int64_t modified_ms)>& /*fn*/) {
    return false;
  }
};

// Validates key syntax: segments of [A-Za-z0-9._-], no empty, "." or ".." segment, no leading
// slash, ≤ 512 bytes. Every store refuses other keys (std::invalid_argument).
bool IsValidBlobKey(std::string_view key);

// Parses STORAGE_URL and builds the store. `data_dir` resolves the default (empty URL →
// file://<data_dir>/blobs); `signing_key` signs local URLs (HMAC-SHA256); S3 credentials come
// from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and optional AWS_SESSION_TOKEN) in the
// environment. Throws std::invalid_argument with a clear message on a bad URL.
std::unique_ptr<BlobStore> OpenBlobStore(const std::string& storage_url, const std::string& data_dir,
                                         const std::string& signing_key);

// Local store URL checks (used by the GET /api/blobs/{key} handler): true when `sig` is the
// HMAC of key and expires under `signing_key` and expires > now.
bool VerifyLocalBlobSignature(const std::string& signing_key, const std::string& key, int64_t expires,
                              std::string_view sig_hex, int64_t now_unix);

}  // namespace stepwise::storage
