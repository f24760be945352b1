#include "core/time.hpp"

#include <gtest/gtest.h>

using stepwise::core::FormatIso;
using stepwise::core::FormatIsoMillis;
using stepwise::core::ParseDbTime;

TEST(Time, FormatsUtc) {
  EXPECT_EQ(FormatIsoMillis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoMillis(1795469400123), "2026-11-23T21:30:00.123Z");
  EXPECT_EQ(FormatIso(1795469400123), "2026-11-23T21:30:00Z");
}

TEST(Time, ParsesBothDatabaseForms) {
  EXPECT_EQ(ParseDbTime("2026-11-23T21:30:00.123Z"), 1795469400123);
  EXPECT_EQ(ParseDbTime("2026-11-23 21:30:00.123+00"), 1795469400123);
  EXPECT_EQ(ParseDbTime("2026-11-23 21:30:00.123456+00:00"), 1795469400123);
  EXPECT_EQ(ParseDbTime("2026-11-23 22:30:00+01"), 1795469400000);
  EXPECT_EQ(ParseDbTime("2026-11-23 21:30:00"), 1795469400000);
}

TEST(Time, RoundTrips) {
  for (int64_t t : {int64_t{0}, int64_t{951782400000}, int64_t{1795469400999}, int64_t{4102444800000}}) {
    EXPECT_EQ(ParseDbTime(FormatIsoMillis(t)), t);
  }
}

TEST(Time, RejectsGarbage) {
  EXPECT_FALSE(ParseDbTime(""));
  EXPECT_FALSE(ParseDbTime("yesterday"));
  EXPECT_FALSE(ParseDbTime("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseDbTime("2026-11-23T21:30:00Zjunk"));
}
