#include "net/egress.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <memory>

namespace stepwise::net {

namespace {

// Reasons, in the words a 422 uses ("… resolves to a loopback address").
constexpr const char* kLoopback = "a loopback address";
constexpr const char* kPrivate = "a private address";
constexpr const char* kLinkLocal = "a link-local address (cloud metadata lives there)";
constexpr const char* kUniqueLocal = "a unique-local address";
constexpr const char* kMulticast = "a multicast or broadcast address";
constexpr const char* kUnspecified = "the unspecified address";
constexpr const char* kReserved = "a reserved address";

bool InV4(uint32_t a, uint32_t net, int bits) {
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

constexpr uint32_t V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | uint32_t{d};
}

// The class of an IPv4 address in host order; nullptr for a public one.
const char* ClassifyV4(uint32_t a) {
  if (InV4(a, V4(255, 255, 255, 255), 32) || InV4(a, V4(224, 0, 0, 0), 4)) return kMulticast;
  if (InV4(a, V4(0, 0, 0, 0), 8)) return kUnspecified;  // "this network": 0.0.0.0 reaches the host
  if (InV4(a, V4(127, 0, 0, 0), 8)) return kLoopback;
  if (InV4(a, V4(10, 0, 0, 0), 8) || InV4(a, V4(172, 16, 0, 0), 12) || InV4(a, V4(192, 168, 0, 0), 16) ||
      InV4(a, V4(100, 64, 0, 0), 10))  // carrier-grade NAT
    return kPrivate;
  if (InV4(a, V4(169, 254, 0, 0), 16)) return kLinkLocal;
  if (InV4(a, V4(192, 0, 0, 0), 24) || InV4(a, V4(192, 0, 2, 0), 24) || InV4(a, V4(198, 18, 0, 0), 15) ||
      InV4(a, V4(198, 51, 100, 0), 24) || InV4(a, V4(203, 0, 113, 0), 24) || InV4(a, V4(240, 0, 0, 0), 4))
    return kReserved;
  return nullptr;
}

uint32_t V4At(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

bool AllZero(const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

// The class of an IPv6 address; nullptr for a public one. Forms that carry an IPv4 address
// (mapped, compatible, NAT64, 6to4) are judged by that address.
const char* ClassifyV6(const uint8_t* b) {
  if (AllZero(b, 16)) return kUnspecified;
  if (AllZero(b, 15) && b[15] == 1) return kLoopback;
  if (AllZero(b, 10) && b[10] == 0xff && b[11] == 0xff) return ClassifyV4(V4At(b + 12));  // ::ffff:a.b.c.d
  if (AllZero(b, 12)) return kReserved;                                                   // ::a.b.c.d
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && AllZero(b + 4, 8))  // 64:ff9b::/96
    return ClassifyV4(V4At(b + 12));
  if (b[0] == 0x20 && b[1] == 0x02) return ClassifyV4(V4At(b + 2));  // 6to4
  if (b[0] == 0xff) return kMulticast;
  if ((b[0] & 0xfe) == 0xfc) return kUniqueLocal;                // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return kLinkLocal;  // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return kPrivate;    // fec0::/10, site-local
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return kReserved;  // documentation
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) return kReserved;  // Teredo
  if (b[0] == 0x01 && AllZero(b + 1, 7)) return kReserved;                             // discard 100::/64
  return nullptr;
}

std::string Decide(const char* cls, bool allow_private) {
  if (cls == nullptr) return {};
  if (allow_private && cls != kMulticast) return {};
  return cls;
}

std::string AddressText(const sockaddr* addr) {
  std::array<char, INET6_ADDRSTRLEN> buf{};
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, buf.data(), buf.size());
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, buf.data(), buf.size());
  }
  return buf.data();
}

struct UrlHandle {
  CURLU* h = curl_url();
  ~UrlHandle() { curl_url_cleanup(h); }
  UrlHandle() = default;
  UrlHandle(const UrlHandle&) = delete;
  UrlHandle& operator=(const UrlHandle&) = delete;

  std::string Part(CURLUPart part) const {
    char* out = nullptr;
    if (curl_url_get(h, part, &out, 0) != CURLUE_OK || out == nullptr) return {};
    std::string s(out);
    curl_free(out);
    return s;
  }
};

}  // namespace

std::string RefusedAddress(const sockaddr* addr, bool allow_private) {
  if (addr == nullptr) return kUnspecified;
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    return Decide(ClassifyV4(ntohl(in->sin_addr.s_addr)), allow_private);
  }
  if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    return Decide(ClassifyV6(in6->sin6_addr.s6_addr), allow_private);
  }
  return "not an internet address";
}

std::string RefusedAddressText(std::string_view ip, bool allow_private) {
  const std::string text(ip);
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return RefusedAddress(reinterpret_cast<const sockaddr*>(&v4), allow_private);
  }
  if (inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    return RefusedAddress(reinterpret_cast<const sockaddr*>(&v6), allow_private);
  }
  return "not an IP address";
}

std::string CheckUrl(std::string_view url, const EgressPolicy& policy, bool resolve) {
  if (url.size() > 2048) return "is longer than 2048 characters";
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return "must not contain spaces or control characters";
  }
  UrlHandle u;
  if (u.h == nullptr) return "could not be checked";
  const std::string text(url);
  if (curl_url_set(u.h, CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
    return "is not a valid http:// or https:// URL";
  const std::string scheme = u.Part(CURLUPART_SCHEME);
  if (scheme != "http" && scheme != "https") return "must be an http:// or https:// URL";
  if (!u.Part(CURLUPART_USER).empty() || !u.Part(CURLUPART_PASSWORD).empty())
    return "must not carry a user name or password (put a secret in the path instead)";
  std::string host = u.Part(CURLUPART_HOST);
  if (host.empty()) return "has no host";
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (const auto zone = host.find('%'); zone != std::string::npos) return "must not name an IPv6 zone";
  if (!resolve) return {};

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr)
    return "names a host that could not be resolved (" + host + ")";
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> hold(found, freeaddrinfo);
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (auto why = RefusedAddress(a->ai_addr, policy.allow_private); !why.empty()) {
      return "points at " + why + " (" + AddressText(a->ai_addr) + ")";
    }
  }
  return {};
}

}  // namespace stepwise::net
