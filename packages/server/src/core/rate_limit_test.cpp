#include "core/rate_limit.hpp"

#include <gtest/gtest.h>

using stepwise::core::MemoryRateLimiter;

TEST(RateLimit, AllowsUpToTheLimitThenAsksToWait) {
  MemoryRateLimiter rl;
  const int64_t t0 = 1'000'000'020'000;  // 20 s into a window
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rl.HitAt("k", 3, t0 + i), 0) << i;
  const int wait = rl.HitAt("k", 3, t0 + 10);
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 60);
}

TEST(RateLimit, KeysAreIndependentAndZeroDisables) {
  MemoryRateLimiter rl;
  const int64_t t0 = 1'000'000'000'000;
  EXPECT_EQ(rl.HitAt("a", 1, t0), 0);
  EXPECT_GT(rl.HitAt("a", 1, t0 + 1), 0);
  EXPECT_EQ(rl.HitAt("b", 1, t0 + 1), 0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(rl.HitAt("c", 0, t0 + i), 0);
}

TEST(RateLimit, BudgetReturnsAsTheWindowSlides) {
  MemoryRateLimiter rl;
  const int64_t t0 = 999'999'960'000;  // at a window boundary
  for (int i = 0; i < 10; ++i) EXPECT_EQ(rl.HitAt("k", 10, t0 + i), 0);
  EXPECT_GT(rl.HitAt("k", 10, t0 + 30'000), 0);
  // Two windows later the old counts are gone.
  EXPECT_EQ(rl.HitAt("k", 10, t0 + 120'001), 0);
  // Half-way through the next window, half of the previous one still counts.
  MemoryRateLimiter r2;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(r2.HitAt("k", 10, t0 + i), 0);
  int allowed = 0;
  for (int i = 0; i < 10; ++i) allowed += r2.HitAt("k", 10, t0 + 90'000) == 0 ? 1 : 0;
  EXPECT_EQ(allowed, 5);
}
