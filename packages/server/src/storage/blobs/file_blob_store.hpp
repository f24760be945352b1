#pragma once
// Local-disk blob store: one file per key under a root directory.
#include <filesystem>
#include <memory>
#include <string>

#include "storage/blobs/blob_store.hpp"

namespace stepwise::storage {

// Creates `root` when missing. Throws std::invalid_argument on an empty signing key and
// std::runtime_error when the root cannot be created.
std::unique_ptr<BlobStore> OpenFileBlobStore(const std::filesystem::path& root,
                                             const std::string& signing_key);

// HMAC-SHA256(signing_key, key + "\n" + expires) as lowercase hex: the sig of a local blob URL.
std::string LocalBlobSignature(const std::string& signing_key, const std::string& key, int64_t expires);

}  // namespace stepwise::storage
