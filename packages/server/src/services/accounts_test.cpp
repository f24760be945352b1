#include "services/accounts.hpp"

#include <gtest/gtest.h>

using stepwise::services::NormalizeEmail;

TEST(Accounts, NormalizesEmails) {
  EXPECT_EQ(NormalizeEmail("  Ann@Example.COM "), "ann@example.com");
  EXPECT_EQ(NormalizeEmail("a.b+tag@sub.example.co.uk"), "a.b+tag@sub.example.co.uk");
}

TEST(Accounts, RejectsWhatIsNotAnEmail) {
  for (const char* bad : {"", "plain", "@example.com", "a@", "a@b", "a@b.", "a@.b", "a b@c.de", "a@@b.co",
                          "a@b..co", "<a>@b.co"}) {
    EXPECT_FALSE(NormalizeEmail(bad).has_value()) << bad;
  }
  EXPECT_FALSE(NormalizeEmail(std::string(250, 'a') + "@b.co").has_value());
}
