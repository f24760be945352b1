#pragma once
// S3 (or any S3-compatible store) through its REST API: SigV4-signed requests over libcurl.
#include <memory>
#include <string>

#include "storage/blobs/blob_store.hpp"
#include "storage/blobs/sigv4.hpp"

namespace stepwise::storage {

struct S3Config {
  std::string bucket;
  std::string prefix;  // without leading or trailing '/', may be ""
  std::string region = "us-east-1";
  std::string scheme = "https";
  std::string endpoint_host;  // host[:port], default port dropped
  bool path_style = false;
  sigv4::Credentials credentials;
  long connect_timeout_ms = 5000;
  long timeout_ms = 60000;
};

// Parses "s3://bucket/prefix?endpoint=http://127.0.0.1:4569&region=us-east-1&path_style=true".
// Credentials are left empty. Throws std::invalid_argument with a clear message.
S3Config ParseS3Url(const std::string& url);

std::unique_ptr<BlobStore> OpenS3BlobStore(S3Config config);

}  // namespace stepwise::storage
