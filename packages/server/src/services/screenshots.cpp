#include "services/screenshots.hpp"

#include <charconv>
#include <map>
#include <set>

#include "core/crypto.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/time.hpp"
#include "services/images.hpp"
#include "storage/db/workflows.hpp"

namespace stepwise::services {

using core::Error;
using core::ErrorKind;
using storage::ScreenshotRepository;

namespace {

const char* Extension(const std::string& format) {
  if (format == "png") return "png";
  if (format == "webp") return "webp";
  return "jpg";
}

const char* MimeOf(const std::string& format) {
  if (format == "png") return "image/png";
  if (format == "webp") return "image/webp";
  return "image/jpeg";
}

// The part's declared type must name the format the bytes really have (when it names one).
bool DeclaredMatches(std::string declared, const std::string& format) {
  declared = declared.substr(0, declared.find(';'));
  while (!declared.empty() && declared.back() == ' ') declared.pop_back();
  for (auto& c : declared) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (declared.empty() || declared == "application/octet-stream") return true;
  if (declared == "image/jpg") declared = "image/jpeg";
  return declared == MimeOf(format);
}

}  // namespace

UploadResult ScreenshotService::Upload(const Caller& caller, const ScreenshotUpload& upload) {
  if (static_cast<int64_t>(upload.bytes.size()) > kMaxImageBytes) {
    throw Error(ErrorKind::kTooLarge, "PAYLOAD_TOO_LARGE", "The image is larger than 10 MB");
  }
  if (upload.bytes.empty()) throw core::ValidationError("/image", "is empty");
  const std::string hash = "sha256:" + core::Sha256Hex(upload.bytes);
  if (hash != upload.image_hash) {
    throw core::ValidationError("/image_hash",
                                "does not match the uploaded bytes (the server computed " + hash + ")");
  }
  const auto existing = db_.Read([&](soci::session& sql) {
    if (upload.workflow_id &&
        !storage::WorkflowRepository(sql, db_.GetDialect()).Find(caller.company_id, *upload.workflow_id)) {
      throw core::NotFound("WORKFLOW_NOT_FOUND", "Workflow not found");
    }
    return ScreenshotRepository(sql, db_.GetDialect()).FindByHash(caller.company_id, hash);
  });
  if (existing) return {*existing, false};

  const auto info = InspectImage(upload.bytes);
  if (!info) {
    throw Error(ErrorKind::kUnsupportedMedia, "UNSUPPORTED_MEDIA_TYPE",
                "The file is not a JPEG, PNG or WebP image (or is damaged, or larger than 16384 px a side)");
  }
  if (!DeclaredMatches(upload.declared_type, info->format)) {
    throw Error(ErrorKind::kUnsupportedMedia, "UNSUPPORTED_MEDIA_TYPE",
                "The file is a " + info->format + " image but was sent as " + upload.declared_type);
  }
  storage::ScreenshotRecord rec;
  rec.company_id = caller.company_id;
  rec.workflow_id = upload.workflow_id;
  rec.hash = hash;
  rec.storage_key = "companies/" + std::to_string(caller.company_id) + "/screenshots/" + hash.substr(7) +
                    "." + Extension(info->format);
  rec.storage_url = rec.storage_key;
  rec.file_size = static_cast<int64_t>(upload.bytes.size());
  rec.width = info->width;
  rec.height = info->height;
  rec.format = info->format;
  rec.client_step_id = upload.client_step_id;
  rec.created_at = core::NowMillis();
  // Bytes first, then the row: a row never points at a missing blob. A concurrent upload of the
  // same image writes the same bytes under the same key.
  blobs_.Put(rec.storage_key, upload.bytes, MimeOf(info->format));
  try {
    return db_.Write([&](soci::session& sql) {
      ScreenshotRepository repo(sql, db_.GetDialect());
      if (auto id = repo.Insert(rec)) {
        rec.id = *id;
        return UploadResult{rec, true};
      }
      return UploadResult{*repo.FindByHash(caller.company_id, hash), false};
    });
  } catch (...) {
    // No row was written: unless a concurrent upload of the same image has one, the bytes go.
    try {
      const bool needed = db_.Read([&](soci::session& sql) {
        return ScreenshotRepository(sql, db_.GetDialect()).FindByHash(caller.company_id, hash).has_value();
      });
      if (!needed) blobs_.Delete(rec.storage_key);
    } catch (const std::exception& e) {
      core::LogWarn("could not remove the bytes of a failed upload",
                    {{"key", rec.storage_key}, {"error", e.what()}});
    }
    throw;
  }
}

storage::ScreenshotRecord ScreenshotService::Get(const Caller& caller, int64_t id) {
  return db_.Read([&](soci::session& sql) {
    auto s = ScreenshotRepository(sql, db_.GetDialect()).Find(caller.company_id, id);
    if (!s) throw core::NotFound("SCREENSHOT_NOT_FOUND", "Screenshot not found");
    return *s;
  });
}

void ScreenshotService::EnsureThumbnail(int64_t company_id, int64_t id) {
  auto shot = db_.Read(
      [&](soci::session& sql) { return ScreenshotRepository(sql, db_.GetDialect()).Find(company_id, id); });
  if (!shot || shot->thumbnail_key) return;
  auto bytes = blobs_.Get(shot->storage_key);
  if (!bytes) return;
  const std::string thumb = services::MakeThumbnail(*bytes);
  const std::string key = shot->storage_key.substr(0, shot->storage_key.rfind('.')) + ".thumb.webp";
  blobs_.Put(key, thumb, "image/webp");
  db_.Write([&](soci::session& sql) { ScreenshotRepository(sql, db_.GetDialect()).SetThumbnail(id, key); });
  if (versions_ != nullptr) versions_->Bump(company_id);
}

int ScreenshotService::RemoveOrphans(int64_t max_age_ms) {
  const int64_t before = core::NowMillis() - max_age_ms;
  int removed = 0;
  for (;;) {
    auto batch = db_.Transaction([&](soci::session& sql) {
      return ScreenshotRepository(sql, db_.GetDialect()).DeleteOrphans(before, 200);
    });
    for (const auto& s : batch) {
      try {
        blobs_.Delete(s.storage_key);
        if (s.thumbnail_key) blobs_.Delete(*s.thumbnail_key);
      } catch (const std::exception& e) {
        core::LogWarn("could not delete a blob", {{"key", s.storage_key}, {"error", e.what()}});
      }
    }
    removed += static_cast<int>(batch.size());
    if (batch.size() < 200) break;
  }
  return removed;
}

std::pair<int, int> ScreenshotService::SweepStore(int64_t older_than_ms) {
  // A temporary file lives for the milliseconds of one write: a minute-old one is dead.
  const int temporaries = blobs_.RemoveStaleTemporaries(60 * 1000);
  const int64_t before = core::NowMillis() - older_than_ms;
  std::map<int64_t, std::vector<std::string>> candidates;  // company → old screenshot files
  blobs_.ForEachLocal([&](const std::string& key, int64_t modified_ms) {
    static constexpr std::string_view kPrefix = "companies/";
    if (modified_ms >= before || key.rfind(kPrefix, 0) != 0) return;
    const auto slash = key.find('/', kPrefix.size());
    if (slash == std::string::npos || key.compare(slash, 13, "/screenshots/") != 0) return;
    int64_t company = 0;
    const auto [end, ec] = std::from_chars(key.data() + kPrefix.size(), key.data() + slash, company);
    if (ec != std::errc() || end != key.data() + slash) return;
    candidates[company].push_back(key);
  });
  int unreferenced = 0;
  for (const auto& [company, keys] : candidates) {
    const auto used = db_.Read([&, company = company](soci::session& sql) {
      auto list = ScreenshotRepository(sql, db_.GetDialect()).BlobKeys(company);
      return std::set<std::string>(list.begin(), list.end());
    });
    for (const auto& key : keys) {
      if (used.count(key) != 0) continue;
      try {
        blobs_.Delete(key);
        ++unreferenced;
      } catch (const std::exception& e) {
        core::LogWarn("could not delete a blob", {{"key", key}, {"error", e.what()}});
      }
    }
  }
  return {temporaries, unreferenced};
}

std::string ScreenshotService::SignedUrl(const std::string& key, int64_t now_unix, int ttl_seconds) const {
  return blobs_.SignedGetUrl(key, now_unix, ttl_seconds);
}

std::optional<std::string> ScreenshotService::ReadSigned(const std::string& key, int64_t expires,
                                                         std::string_view sig, int64_t now_unix) {
  if (signing_key_.empty() || !storage::IsValidBlobKey(key) ||
      !storage::VerifyLocalBlobSignature(signing_key_, key, expires, sig, now_unix)) {
    throw core::Forbidden("This link is not valid or has expired");
  }
  return blobs_.Get(key);
}

std::pair<int64_t, int64_t> ScreenshotService::Usage(const Caller& caller) {
  return db_.Read([&](soci::session& sql) {
    return ScreenshotRepository(sql, db_.GetDialect()).CountAndBytes(caller.company_id);
  });
}

}  // namespace stepwise::services
