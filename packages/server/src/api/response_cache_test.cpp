#include "api/response_cache.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "core/versions.hpp"

namespace stepwise::api {
namespace {

TEST(ResponseCache, ServesOnlyTheVersionItWasStoredAt) {
  ResponseCache cache(1 << 20, 60000);
  cache.Put("k", 7, {"body", "etag"});
  auto hit = cache.Get("k", 7);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->body, "body");
  EXPECT_EQ(hit->etag, "etag");
  EXPECT_EQ(cache.Get("k", 8), nullptr);
  EXPECT_EQ(cache.Get("k", 7), nullptr);  // the stale entry was dropped
  EXPECT_EQ(cache.Get("other", 7), nullptr);
}

TEST(ResponseCache, EntriesExpire) {
  ResponseCache cache(1 << 20, 30);
  cache.Put("k", 1, {"body", ""});
  EXPECT_NE(cache.Get("k", 1), nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(cache.Get("k", 1), nullptr);
}

TEST(ResponseCache, OneCallerRefreshesAnEntryInItsLastQuarterWhileOthersAreServed) {
  ResponseCache cache(1 << 20, 2000);
  cache.Put("k", 1, {"old", ""});
  bool refresh = true;
  ASSERT_NE(cache.Get("k", 1, &refresh), nullptr);
  EXPECT_FALSE(refresh);  // young
  // Sleeping never ends early: past 3/4 of the ttl; and well before its end.
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  ASSERT_NE(cache.Get("k", 1, &refresh), nullptr);
  EXPECT_TRUE(refresh);  // this caller refreshes
  auto other = cache.Get("k", 1, &refresh);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->body, "old");  // the others are still answered from the entry
  EXPECT_FALSE(refresh);
  cache.Put("k", 1, {"new", ""});
  auto fresh = cache.Get("k", 1, &refresh);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->body, "new");
  EXPECT_FALSE(refresh);
  EXPECT_EQ(cache.Get("k", 2, &refresh), nullptr);  // a write still ends it at once
}

TEST(ResponseCache, OffWhenTtlOrSizeIsZero) {
  ResponseCache no_ttl(1 << 20, 0);
  no_ttl.Put("k", 1, {"body", ""});
  EXPECT_EQ(no_ttl.Get("k", 1), nullptr);
  ResponseCache no_room(0, 1000);
  no_room.Put("k", 1, {"body", ""});
  EXPECT_EQ(no_room.Get("k", 1), nullptr);
}

TEST(ResponseCache, StaysWithinItsByteBudget) {
  const size_t budget = 256 * 1024;
  ResponseCache cache(budget, 60000);
  const std::string body(1000, 'x');
  for (int i = 0; i < 5000; ++i) cache.Put("key" + std::to_string(i), 1, {body, ""});
  EXPECT_LE(cache.Bytes(), budget);
  EXPECT_GT(cache.Bytes(), budget / 4);
  EXPECT_NE(cache.Get("key4999", 1), nullptr);  // the newest stays
  // One answer larger than a quarter of a shard is not kept.
  cache.Put("huge", 1, {std::string(budget, 'y'), ""});
  EXPECT_EQ(cache.Get("huge", 1), nullptr);
}

TEST(VersionCounters, BumpChangesOnlyThatKeysVersion) {
  core::VersionCounters versions;
  const auto a = versions.Get(1);
  const auto b = versions.Get(2);
  versions.Bump(1);
  EXPECT_NE(versions.Get(1), a);
  EXPECT_EQ(versions.Get(2), b);
  {
    const core::BumpOnExit touch(&versions, 2);
    EXPECT_EQ(versions.Get(2), b);  // not before the scope ends
  }
  EXPECT_NE(versions.Get(2), b);
}

}  // namespace
}  // namespace stepwise::api
