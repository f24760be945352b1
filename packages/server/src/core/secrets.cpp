#include "core/secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/crypto.hpp"

namespace stepwise::core {

std::string LoadOrCreateSecret(const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (std::ifstream in(path); in) {
      std::stringstream ss;
      ss << in.rdbuf();
      std::string s = ss.str();
      while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
      if (s.size() >= 32) return s;
      // Another process is writing it right now.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    }
    const std::string secret = RandomToken(48);
    const std::string line = secret + "\n";
    const bool ok =
        ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot write " + path);
    return secret;
  }
  throw std::runtime_error("cannot read the secret in " + path);
}

}  // namespace stepwise::core
