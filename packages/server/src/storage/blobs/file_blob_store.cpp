#include "storage/blobs/file_blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "core/crypto.hpp"
#include "core/time.hpp"

namespace stepwise::storage {
namespace fs = std::filesystem;
namespace {

[[noreturn]] void ThrowErrno(const std::string& what, const fs::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

void FsyncDir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) ThrowErrno("open directory", dir);
  if (::fsync(fd.get()) != 0) ThrowErrno("fsync directory", dir);
}

class FileBlobStore final : public BlobStore {
 public:
  FileBlobStore(fs::path root, std::string signing_key)
      : root_(std::move(root)), signing_key_(std::move(signing_key)) {}

  void Put(const std::string& key, std::string_view bytes, const std::string& /*content_type*/) override {
    const fs::path path = PathOf(key);
    const fs::path dir = MakeParentDirs(key);
    CheckInsideRoot(dir);
    // A temporary name in the same directory, so that rename() is atomic: readers see the old
    // object or the new one, never a partial file.
    const fs::path tmp = dir / (".tmp-" + core::HexEncode(core::RandomBytes(8)));
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (fd.get() < 0) ThrowErrno("create", tmp);
    try {
      const char* p = bytes.data();
      size_t left = bytes.size();
      while (left > 0) {
        const ssize_t n = ::write(fd.get(), p, left);
        if (n < 0) {
          if (errno == EINTR) continue;
          ThrowErrno("write", tmp);
        }
        p += n;
        left -= static_cast<size_t>(n);
      }
      if (::fsync(fd.get()) != 0) ThrowErrno("fsync", tmp);
      if (::close(fd.release()) != 0) ThrowErrno("close", tmp);
      if (::rename(tmp.c_str(), path.c_str()) != 0) ThrowErrno("rename to", path);
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
    FsyncDir(dir);
  }

  std::optional<std::string> Get(const std::string& key) override {
    const fs::path path = PathOf(key);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
      ThrowErrno("open", path);
    }
    CheckInsideRoot(path.parent_path());
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) ThrowErrno("stat", path);
    if (!S_ISREG(st.st_mode)) return std::nullopt;
    std::string out;
    out.reserve(static_cast<size_t>(st.st_size));
    char buf[65536];
    while (true) {
      const ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        ThrowErrno("read", path);
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  void Delete(const std::string& key) override {
    const fs::path path = PathOf(key);
    if (::unlink(path.c_str()) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return;
      ThrowErrno("delete", path);
    }
    FsyncDir(path.parent_path());
  }

  bool Exists(const std::string& key) override {
    const fs::path path = PathOf(key);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return false;
    return S_ISREG(st.st_mode);
  }

  int RemoveStaleTemporaries(int64_t older_than_ms) override {
    int removed = 0;
    Walk([&](const fs::path& path, bool temporary, int64_t modified_ms) {
      if (temporary && modified_ms < core::NowMillis() - older_than_ms && ::unlink(path.c_str()) == 0)
        ++removed;
    });
    return removed;
  }

  bool ForEachLocal(const std::function<void(const std::string& key, int64_t modified_ms)>& fn) override {
    Walk([&](const fs::path& path, bool temporary, int64_t modified_ms) {
      if (temporary) return;
      const std::string key = path.lexically_relative(root_).generic_string();
      if (IsValidBlobKey(key)) fn(key, modified_ms);
    });
    return true;
  }

  std::string SignedGetUrl(const std::string& key, int64_t now_unix, int ttl_seconds) override {
    if (!IsValidBlobKey(key)) throw std::invalid_argument("invalid blob key");
    if (ttl_seconds <= 0) throw std::invalid_argument("a signed URL needs a positive lifetime");
    const int64_t expires = now_unix + ttl_seconds;
    // Keys are made of URL-safe characters only, so they go into the path as they are.
    return "/api/blobs/" + key + "?expires=" + std::to_string(expires) +
           "&sig=" + LocalBlobSignature(signing_key_, key, expires);
  }

 private:
  // Every regular file under the root (symlinks are not followed), whether it is a temporary
  // file of an unfinished write, and its modification time.
  void Walk(const std::function<void(const fs::path&, bool temporary, int64_t modified_ms)>& fn) const {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root_, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      const int64_t modified_ms = int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1000000;
      fn(it->path(), it->path().filename().string().rfind(".tmp-", 0) == 0, modified_ms);
    }
  }

  fs::path PathOf(const std::string& key) const {
    if (!IsValidBlobKey(key)) throw std::invalid_argument("invalid blob key");
    fs::path path = (root_ / key).lexically_normal();
    const auto [root_end, path_it] = std::mismatch(root_.begin(), root_.end(), path.begin(), path.end());
    if (root_end != root_.end()) throw std::invalid_argument("blob key escapes the store");
    return path;
  }

  // Creates the key's directories one by one under the root, refusing to step through a symlink
  // (which could lead out of the root) before anything is created.
  fs::path MakeParentDirs(const std::string& key) const {
    fs::path dir = root_;
    const fs::path parent = fs::path(key).parent_path();
    for (const auto& segment : parent) {
      dir /= segment;
      struct stat st {};
      if (::lstat(dir.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) throw std::invalid_argument("blob key escapes the store");
        if (!S_ISDIR(st.st_mode)) throw std::runtime_error("not a directory: " + dir.string());
        continue;
      }
      if (errno != ENOENT) ThrowErrno("stat", dir);
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) ThrowErrno("create directory", dir);
    }
    return dir;
  }

  // Defence in depth against a symlink planted inside the root: the resolved directory must still
  // be under the resolved root.
  void CheckInsideRoot(const fs::path& dir) const {
    std::error_code ec;
    const fs::path real = fs::canonical(dir, ec);
    if (ec) throw std::system_error(ec, "resolve " + dir.string());
    const auto [root_end, it] = std::mismatch(real_root_.begin(), real_root_.end(), real.begin(), real.end());
    if (root_end != real_root_.end()) throw std::invalid_argument("blob key escapes the store");
  }

 public:
  void Init() {
    std::error_code ec;
    fs::create_directories(root_, ec);
    if (ec) throw std::runtime_error("cannot create blob directory " + root_.string() + ": " + ec.message());
    real_root_ = fs::canonical(root_, ec);
    if (ec) throw std::runtime_error("cannot resolve blob directory " + root_.string() + ": " + ec.message());
    root_ = real_root_;
  }

 private:
  fs::path root_;
  fs::path real_root_;
  std::string signing_key_;
};

}  // namespace

std::string LocalBlobSignature(const std::string& signing_key, const std::string& key, int64_t expires) {
  return core::HmacSha256Hex(signing_key, key + "\n" + std::to_string(expires));
}

std::unique_ptr<BlobStore> OpenFileBlobStore(const fs::path& root, const std::string& signing_key) {
  if (signing_key.empty())
    throw std::invalid_argument("the local blob store needs a signing key for its URLs");
  auto store = std::make_unique<FileBlobStore>(fs::absolute(root), signing_key);
  store->Init();
  return store;
}

}  // namespace stepwise::storage
