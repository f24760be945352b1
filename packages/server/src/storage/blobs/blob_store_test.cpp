#include "storage/blobs/blob_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "storage/blobs/file_blob_store.hpp"
#include "storage/blobs/s3_blob_store.hpp"

namespace stepwise::storage {
namespace {
namespace fs = std::filesystem;

class FileBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/stepwise-blobs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    store_ = OpenBlobStore("file://" + (dir_ / "blobs").string(), "", "sign-me");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::unique_ptr<BlobStore> store_;
};

TEST(BlobKey, Validity) {
  EXPECT_TRUE(IsValidBlobKey("companies/42/screenshots/abc.jpg"));
  EXPECT_TRUE(IsValidBlobKey("a"));
  EXPECT_TRUE(IsValidBlobKey("a.b-c_d/.hidden"));
  for (std::string bad : {"", "/abs", "a//b", "a/", "../x", "a/../b", "a/./b", ".", "..", "a\\b", "a b",
                          "a%2e", "é", "a:b", "a?b"}) {
    EXPECT_FALSE(IsValidBlobKey(bad)) << bad;
  }
  EXPECT_FALSE(IsValidBlobKey(std::string("a\0b", 3)));
  EXPECT_TRUE(IsValidBlobKey(std::string(512, 'a')));
  EXPECT_FALSE(IsValidBlobKey(std::string(513, 'a')));
}

TEST_F(FileBlobStoreTest, RoundTripOverwriteDelete) {
  const std::string key = "companies/1/screenshots/x.png";
  EXPECT_FALSE(store_->Exists(key));
  EXPECT_EQ(store_->Get(key), std::nullopt);
  const std::string bytes("\x89PNG\0\r\n", 7);
  store_->Put(key, bytes, "image/png");
  EXPECT_TRUE(store_->Exists(key));
  EXPECT_EQ(store_->Get(key), bytes);
  EXPECT_TRUE(fs::is_regular_file(dir_ / "blobs" / key));
  store_->Put(key, "second", "image/png");
  EXPECT_EQ(store_->Get(key), "second");
  // No temporary file is left behind.
  size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_ / "blobs")) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
  store_->Delete(key);
  EXPECT_FALSE(store_->Exists(key));
  EXPECT_EQ(store_->Get(key), std::nullopt);
  EXPECT_NO_THROW(store_->Delete(key));  // idempotent
  EXPECT_NO_THROW(store_->Delete("never/was/here"));
  store_->Put("empty", "", "");
  EXPECT_EQ(store_->Get("empty"), "");
}

TEST_F(FileBlobStoreTest, RejectsKeysThatCouldEscape) {
  for (std::string bad : {"../escape", "a/../../escape", "/etc/passwd", "a//b", "a\\..\\b", ""}) {
    EXPECT_THROW(store_->Put(bad, "x", ""), std::invalid_argument) << bad;
    EXPECT_THROW(store_->Get(bad), std::invalid_argument) << bad;
    EXPECT_THROW(store_->Delete(bad), std::invalid_argument) << bad;
    EXPECT_THROW(store_->Exists(bad), std::invalid_argument) << bad;
    EXPECT_THROW(store_->SignedGetUrl(bad, 0), std::invalid_argument) << bad;
  }
  EXPECT_THROW(store_->Put(std::string("a\0b", 3), "x", ""), std::invalid_argument);
  EXPECT_FALSE(fs::exists(dir_ / "escape"));
}

TEST_F(FileBlobStoreTest, RefusesASymlinkOutOfTheRoot) {
  fs::create_directories(dir_ / "outside");
  fs::create_directory_symlink(dir_ / "outside", dir_ / "blobs" / "link");
  EXPECT_THROW(store_->Put("link/x", "x", ""), std::invalid_argument);
  EXPECT_THROW(store_->Put("link/new/x", "x", ""), std::invalid_argument);
  EXPECT_FALSE(fs::exists(dir_ / "outside" / "x"));
  EXPECT_FALSE(fs::exists(dir_ / "outside" / "new"));  // nothing created out there either
  std::ofstream(dir_ / "outside" / "y") << "secret";
  EXPECT_THROW(store_->Get("link/y"), std::invalid_argument);
}

TEST_F(FileBlobStoreTest, SignedUrls) {
  const std::string key = "companies/7/screenshots/abc.webp";
  const int64_t now = 1700000000;
  const std::string url = store_->SignedGetUrl(key, now, 900);
  const std::string prefix = "/api/blobs/" + key + "?expires=1700000900&sig=";
  ASSERT_EQ(url.rfind(prefix, 0), 0u) << url;
  const std::string sig = url.substr(prefix.size());
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_EQ(sig, LocalBlobSignature("sign-me", key, 1700000900));
  EXPECT_TRUE(VerifyLocalBlobSignature("sign-me", key, 1700000900, sig, now));
  EXPECT_TRUE(VerifyLocalBlobSignature("sign-me", key, 1700000900, sig, now + 899));
  // Expired, at and after the instant.
  EXPECT_FALSE(VerifyLocalBlobSignature("sign-me", key, 1700000900, sig, now + 900));
  EXPECT_FALSE(VerifyLocalBlobSignature("sign-me", key, 1700000900, sig, now + 10000));
  // Tampered key, expiry, signature, signing key.
  EXPECT_FALSE(VerifyLocalBlobSignature("sign-me", "companies/8/screenshots/abc.webp", 1700000900, sig, now));
  EXPECT_FALSE(VerifyLocalBlobSignature("sign-me", key, 1700009999, sig, now));
  std::string flipped = sig;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  EXPECT_FALSE(VerifyLocalBlobSignature("sign-me", key, 1700000900, flipped, now));
  EXPECT_FALSE(VerifyLocalBlobSignature("sign-me", key, 1700000900, sig.substr(0, 63), now));
  EXPECT_FALSE(VerifyLocalBlobSignature("sign-me", key, 1700000900, "", now));
  EXPECT_FALSE(VerifyLocalBlobSignature("other-key", key, 1700000900, sig, now));
  EXPECT_FALSE(VerifyLocalBlobSignature("", key, 1700000900, LocalBlobSignature("", key, 1700000900), now));
  EXPECT_FALSE(VerifyLocalBlobSignature("sign-me", "../x", 1700000900,
                                        LocalBlobSignature("sign-me", "../x", 1700000900), now));
}

TEST(OpenBlobStore, DefaultAndBadUrls) {
  char tmpl[] = "/tmp/stepwise-blobs-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl;
  auto store = OpenBlobStore("", dir.string(), "k");
  store->Put("a/b", "x", "");
  EXPECT_TRUE(fs::exists(dir / "blobs" / "a" / "b"));
  EXPECT_THROW(OpenBlobStore("", dir.string(), ""), std::invalid_argument);
  EXPECT_THROW(OpenBlobStore("ftp://x", dir.string(), "k"), std::invalid_argument);
  EXPECT_THROW(OpenBlobStore("file://", dir.string(), "k"), std::invalid_argument);
  fs::remove_all(dir);
}

TEST(OpenBlobStore, RelativeFileUrlResolvesAgainstTheWorkingDirectory) {
  char tmpl[] = "/tmp/stepwise-blobs-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl;
  const fs::path old = fs::current_path();
  fs::current_path(dir);
  auto store = OpenBlobStore("file://./data/blobs", "ignored", "k");
  fs::current_path(old);
  store->Put("k", "v", "");
  EXPECT_TRUE(fs::exists(dir / "data" / "blobs" / "k"));
  fs::remove_all(dir);
}

TEST(S3Url, Parses) {
  S3Config c = ParseS3Url(
      "s3://my-bucket/some/prefix/?endpoint=http://127.0.0.1:4569&region=eu-west-3&path_style=true");
  EXPECT_EQ(c.bucket, "my-bucket");
  EXPECT_EQ(c.prefix, "some/prefix");
  EXPECT_EQ(c.region, "eu-west-3");
  EXPECT_EQ(c.scheme, "http");
  EXPECT_EQ(c.endpoint_host, "127.0.0.1:4569");
  EXPECT_TRUE(c.path_style);

  c = ParseS3Url("s3://bucket1");
  EXPECT_EQ(c.prefix, "");
  EXPECT_EQ(c.region, "us-east-1");
  EXPECT_EQ(c.scheme, "https");
  EXPECT_EQ(c.endpoint_host, "s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(c.path_style);

  c = ParseS3Url("s3://bucket1/p?region=ap-south-1&endpoint=https%3A%2F%2Fminio.example.com%3A443");
  EXPECT_EQ(c.endpoint_host, "minio.example.com");  // the default port is what curl leaves out
  EXPECT_EQ(c.scheme, "https");

  for (std::string bad : {"s3://", "s3://B", "s3://ab", "s3://bucket?bogus=1", "s3://bucket?path_style=yes",
                          "s3://bucket?endpoint=ftp://x", "s3://bucket?endpoint=http://h/path",
                          "s3://bucket/../x", "s3://bucket?region=", "s3://bucket?endpoint=http://h%zz",
                          "s3://my.bucket", "s3://bucket?region=US_EAST"}) {
    EXPECT_THROW(ParseS3Url(bad), std::invalid_argument) << bad;
  }
}

TEST(S3Store, SignedUrlIsPresignedForTheObject) {
  S3Config c = ParseS3Url("s3://bucket1/pre?endpoint=http://127.0.0.1:4569&path_style=true");
  c.credentials = {"AK", "SK", ""};
  auto store = OpenS3BlobStore(c);
  const std::string url = store->SignedGetUrl("companies/1/screenshots/a.jpg", 1369353600, 900);
  EXPECT_EQ(
      url.rfind(
          "http://127.0.0.1:4569/bucket1/pre/companies/1/screenshots/a.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&"
          "X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&X-Amz-Credential=AK%2F20130524%2Fus-east-1%2Fs3%2Faws4_"
          "request&"
          "X-Amz-Date=20130524T000000Z&X-Amz-Expires=900&X-Amz-Signature=",
          0),
      0u)
      << url;
  EXPECT_THROW(store->SignedGetUrl("../a", 0), std::invalid_argument);
  EXPECT_THROW(store->Put("/a", "x", ""), std::invalid_argument);
}

TEST(S3Store, MissingCredentialsAreAClearError) {
  const char* old = std::getenv("AWS_ACCESS_KEY_ID");
  const std::string saved = old ? old : "";
  unsetenv("AWS_ACCESS_KEY_ID");
  EXPECT_THROW(OpenBlobStore("s3://bucket1", "", "k"), std::invalid_argument);
  if (old) setenv("AWS_ACCESS_KEY_ID", saved.c_str(), 1);
}

TEST(S3Store, UnreachableEndpointThrowsRuntimeError) {
  S3Config c = ParseS3Url("s3://bucket1?endpoint=http://127.0.0.1:1&path_style=true");
  c.credentials = {"AK", "SK", ""};
  c.connect_timeout_ms = 500;
  auto store = OpenS3BlobStore(c);
  EXPECT_THROW(store->Put("k", "x", ""), std::runtime_error);
  EXPECT_THROW(store->Get("k"), std::runtime_error);
}

}  // namespace
}  // namespace stepwise::storage
