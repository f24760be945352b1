#include "services/checks.hpp"

#include <gtest/gtest.h>

namespace stepwise::services {
namespace {

TEST(DecideCheckStatus, TheCheckersVerdictOnTheSessionOrAnErrorStands) {
  EXPECT_EQ(DecideCheckStatus("session_expired", {"found"}), "session_expired");
  EXPECT_EQ(DecideCheckStatus("error", {"found", "found"}), "error");
  EXPECT_EQ(DecideCheckStatus("error", {}), "error");
}

TEST(DecideCheckStatus, AStepNotFoundOrOnlyUncertainIsAtRisk) {
  EXPECT_EQ(DecideCheckStatus("passed", {"found", "not_found"}), "at_risk");
  EXPECT_EQ(DecideCheckStatus("passed", {"uncertain"}), "at_risk");
  EXPECT_EQ(DecideCheckStatus("passed", {"found", "error"}), "at_risk");
  // The server decides from the steps, not from the checker's word.
  EXPECT_EQ(DecideCheckStatus("at_risk", {"found", "healed"}), "passed");
}

TEST(DecideCheckStatus, FoundHealedAndUnreachableStepsPass) {
  EXPECT_EQ(DecideCheckStatus("passed", {"found", "healed", "unreachable"}), "passed");
  EXPECT_EQ(DecideCheckStatus("passed", {}), "passed");
}

TEST(CheckStatusAlert, OneAlertPerChangeOfStatus) {
  const auto at_risk = CheckStatusAlert(std::nullopt, "at_risk", "Invoices", "Step 2 was not found.");
  ASSERT_TRUE(at_risk);
  EXPECT_EQ(at_risk->type, "workflow_at_risk");
  EXPECT_EQ(at_risk->severity, "warning");
  EXPECT_NE(at_risk->title.find("Invoices"), std::string::npos);
  EXPECT_FALSE(CheckStatusAlert("at_risk", "at_risk", "Invoices", ""));
  EXPECT_EQ(CheckStatusAlert("passed", "session_expired", "Invoices", "")->type, "check_session_expired");
  EXPECT_FALSE(CheckStatusAlert("session_expired", "session_expired", "Invoices", ""));
  EXPECT_EQ(CheckStatusAlert("at_risk", "passed", "Invoices", "")->type, "check_passed");
  EXPECT_EQ(CheckStatusAlert("at_risk", "passed", "Invoices", "")->severity, "info");
  EXPECT_FALSE(CheckStatusAlert("passed", "passed", "Invoices", ""));
  EXPECT_FALSE(CheckStatusAlert(std::nullopt, "passed", "Invoices", ""));
  EXPECT_FALSE(CheckStatusAlert("session_expired", "passed", "Invoices", ""));
  EXPECT_FALSE(CheckStatusAlert(std::nullopt, "error", "Invoices", ""));
}

TEST(OriginOf, KeepsSchemeHostAndANonDefaultPort) {
  EXPECT_EQ(OriginOf("https://App.Example.com/settings?x=1#y"), "https://app.example.com");
  EXPECT_EQ(OriginOf("http://127.0.0.1:4567/form"), "http://127.0.0.1:4567");
  EXPECT_EQ(OriginOf("http://example.com:80/"), "http://example.com");
  EXPECT_EQ(OriginOf("https://example.com:443"), "https://example.com");
  EXPECT_EQ(OriginOf("http://[::1]:8080/x"), "http://[::1]:8080");
  EXPECT_EQ(OriginOf("ftp://example.com/"), std::nullopt);
  EXPECT_EQ(OriginOf("https://user@example.com/"), std::nullopt);
  EXPECT_EQ(OriginOf("chrome://settings"), std::nullopt);
  EXPECT_EQ(OriginOf("not a url"), std::nullopt);
}

TEST(CookieDomainMatches, TheHostOrAParentDomainOfIt) {
  EXPECT_TRUE(CookieDomainMatches("app.example.com", "app.example.com"));
  EXPECT_TRUE(CookieDomainMatches(".example.com", "app.example.com"));
  EXPECT_TRUE(CookieDomainMatches("example.com", "app.example.com"));
  EXPECT_TRUE(CookieDomainMatches("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(CookieDomainMatches("ample.com", "app.example.com"));
  EXPECT_FALSE(CookieDomainMatches("other.example.com", "app.example.com"));
  EXPECT_FALSE(CookieDomainMatches("com", "app.example.com"));  // a whole top-level domain
  EXPECT_FALSE(CookieDomainMatches("", "app.example.com"));
  EXPECT_FALSE(CookieDomainMatches("app.example.com", "example.com"));
  EXPECT_FALSE(CookieDomainMatches("0.0.1", "127.0.0.1"));
  EXPECT_FALSE(CookieDomainMatches("1", "::1"));
}

}  // namespace
}  // namespace stepwise::services
