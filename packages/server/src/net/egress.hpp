#pragma once
// The egress policy: every outbound HTTP request the server makes goes through net::Post with a
// policy. A tenant-supplied destination (a company's webhook) may reach only public addresses
// unless the operator allows private ones; an operator-configured destination (an AI vendor's
// base URL) may reach any address. The check runs on the address a connection is actually opened
// to (curl's open-socket hook), so a name that resolves to a public address when saved and to a
// private one later (DNS rebinding) is refused at send time.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

struct sockaddr;

namespace stepwise::net {

struct EgressPolicy {
  // Loopback, private, link-local, unique-local, unspecified and reserved addresses (and their
  // IPv4-mapped and translated forms) are refused unless this is set. Multicast never passes.
  bool allow_private = false;
  // Proxies from the environment (HTTPS_PROXY, …) are used only with this set: a proxy would
  // open the connection on our behalf, past the address check.
  bool use_env_proxy = false;
  int64_t connect_timeout_ms = 5000;
  int64_t total_timeout_ms = 10000;
  size_t max_response_bytes = size_t{64} * 1024;

  // A company's webhook and other tenant-supplied destinations.
  static EgressPolicy Tenant(bool allow_private) { return EgressPolicy{allow_private, false}; }
  // Destinations the operator configured (AI vendors): any address, environment proxies honoured.
  static EgressPolicy Operator(int64_t connect_timeout_ms, int64_t total_timeout_ms) {
    return EgressPolicy{true, true, connect_timeout_ms, total_timeout_ms, size_t{8} * 1024 * 1024};
  }
};

// Why `addr` (IPv4 or IPv6) may not be reached under the policy, e.g. "a loopback address";
// empty when it may.
std::string RefusedAddress(const sockaddr* addr, bool allow_private);
// The same for an address in text form (inet_pton forms only); "not an IP address" otherwise.
std::string RefusedAddressText(std::string_view ip, bool allow_private);

// Checks a destination URL before it is stored or used: http or https, a host, no credentials,
// and, with `resolve`, every address the host resolves to (a literal address is checked as it
// is). Returns empty when the URL may be used, else the reason, worded for the person who typed it.
std::string CheckUrl(std::string_view url, const EgressPolicy& policy, bool resolve = true);

}  // namespace stepwise::net
