#include "net/egress.hpp"

#include <gtest/gtest.h>

#include <string>

namespace stepwise::net {
namespace {

struct AddressCase {
  const char* ip;
  const char* refused;  // the start of the reason; "" when allowed
};

class RefusedAddressTest : public ::testing::TestWithParam<AddressCase> {};

TEST_P(RefusedAddressTest, ClassifiesByRange) {
  const auto& c = GetParam();
  const std::string why = RefusedAddressText(c.ip, false);
  if (std::string(c.refused).empty()) {
    EXPECT_EQ(why, "") << c.ip;
  } else {
    EXPECT_EQ(why.rfind(c.refused, 0), 0u) << c.ip << " → " << why;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, RefusedAddressTest,
    ::testing::Values(AddressCase{"93.184.216.34", ""}, AddressCase{"8.8.8.8", ""},
                      AddressCase{"2606:2800:220:1:248:1893:25c8:1946", ""},
                      AddressCase{"127.0.0.1", "a loopback"}, AddressCase{"127.255.255.254", "a loopback"},
                      AddressCase{"0.0.0.0", "the unspecified"}, AddressCase{"0.1.2.3", "the unspecified"},
                      AddressCase{"10.0.0.1", "a private"}, AddressCase{"172.16.0.1", "a private"},
                      AddressCase{"172.31.255.255", "a private"}, AddressCase{"172.32.0.1", ""},
                      AddressCase{"192.168.1.1", "a private"}, AddressCase{"100.64.0.1", "a private"},
                      AddressCase{"169.254.169.254", "a link-local"}, AddressCase{"224.0.0.1", "a multicast"},
                      AddressCase{"255.255.255.255", "a multicast"}, AddressCase{"240.0.0.1", "a reserved"},
                      AddressCase{"198.18.0.1", "a reserved"}, AddressCase{"::", "the unspecified"},
                      AddressCase{"::1", "a loopback"}, AddressCase{"::ffff:127.0.0.1", "a loopback"},
                      AddressCase{"::ffff:10.1.2.3", "a private"}, AddressCase{"::ffff:93.184.216.34", ""},
                      AddressCase{"::127.0.0.1", "a reserved"},
                      AddressCase{"64:ff9b::a9fe:a9fe", "a link-local"},
                      AddressCase{"2002:7f00:1::", "a loopback"}, AddressCase{"fd00::1", "a unique-local"},
                      AddressCase{"fc00::1", "a unique-local"}, AddressCase{"fe80::1", "a link-local"},
                      AddressCase{"fec0::1", "a private"}, AddressCase{"ff02::1", "a multicast"},
                      AddressCase{"2001:db8::1", "a reserved"}));

TEST(RefusedAddress, AllowPrivateLetsAllButMulticastThrough) {
  EXPECT_EQ(RefusedAddressText("127.0.0.1", true), "");
  EXPECT_EQ(RefusedAddressText("10.0.0.1", true), "");
  EXPECT_EQ(RefusedAddressText("::ffff:127.0.0.1", true), "");
  EXPECT_NE(RefusedAddressText("224.0.0.1", true), "");
  EXPECT_EQ(RefusedAddressText("not-an-ip", true), "not an IP address");
}

TEST(CheckUrl, RefusesSchemesCredentialsAndPrivateTargets) {
  const auto tenant = EgressPolicy::Tenant(false);
  EXPECT_EQ(CheckUrl("https://93.184.216.34/hook", tenant), "");
  EXPECT_EQ(CheckUrl("http://[2606:2800:220:1:248:1893:25c8:1946]:8443/x", tenant), "");
  EXPECT_NE(CheckUrl("ftp://93.184.216.34/", tenant).find("http:// or https://"), std::string::npos);
  EXPECT_NE(CheckUrl("javascript:alert(1)", tenant), "");
  EXPECT_NE(CheckUrl("http://user:pw@93.184.216.34/", tenant).find("user name or password"),
            std::string::npos);
  EXPECT_NE(CheckUrl("http://user@93.184.216.34/", tenant).find("user name or password"), std::string::npos);
  EXPECT_NE(CheckUrl("http://93.184.216.34/a b", tenant).find("spaces"), std::string::npos);
  for (const char* url : {"http://127.0.0.1:9/x", "http://localhost:9/", "http://127.1/",
                          "http://2130706433/", "http://0x7f000001/", "http://0.0.0.0/", "http://[::1]/",
                          "http://[::ffff:127.0.0.1]/", "http://169.254.169.254/latest", "http://10.0.0.1/",
                          "http://[fd00::1]/", "http://224.0.0.1/", "http://017700000001/"}) {
    const auto why = CheckUrl(url, tenant);
    EXPECT_EQ(why.rfind("points at ", 0), 0u) << url << " → " << why;
  }
  EXPECT_EQ(CheckUrl("http://127.0.0.1:9/x", EgressPolicy::Tenant(true)), "");
  EXPECT_EQ(CheckUrl("http://localhost:9/", EgressPolicy::Tenant(true)), "");
  // Without resolving, only the form is checked (the send path: the address is checked when
  // the connection opens).
  EXPECT_EQ(CheckUrl("http://127.0.0.1/", tenant, false), "");
}

TEST(CheckUrl, NameThatDoesNotResolveIsRefused) {
  const auto why = CheckUrl("https://no-such-host.invalid/hook", EgressPolicy::Tenant(false));
  EXPECT_NE(why.find("could not be resolved"), std::string::npos) << why;
}

}  // namespace
}  // namespace stepwise::net
