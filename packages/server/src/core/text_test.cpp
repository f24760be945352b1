#include "core/text.hpp"

#include <gtest/gtest.h>

using stepwise::core::FoldCase;

TEST(Text, FoldsCaseBeyondAscii) {
  EXPECT_EQ(FoldCase("Invoice ÉCOLE Straße"), FoldCase("invoice école STRASSE"));
  EXPECT_EQ(FoldCase("ΣΊΣΥΦΟΣ"), FoldCase("σίσυφος"));
  EXPECT_EQ(FoldCase("e\xCC\x81"), FoldCase("\xC3\xA9"));  // decomposed é == composed é
  EXPECT_EQ(FoldCase("ABC\xff"), "abc\xff");               // not UTF-8: ASCII only
}

TEST(Text, CleanUtf8RefusesNulAndMalformedBytes) {
  using stepwise::core::IsCleanUtf8;
  EXPECT_TRUE(IsCleanUtf8("Überweisung ✓"));
  EXPECT_TRUE(IsCleanUtf8(""));
  EXPECT_FALSE(IsCleanUtf8(std::string("a\0b", 3)));
  EXPECT_FALSE(IsCleanUtf8("\xff\xfe"));
  EXPECT_FALSE(IsCleanUtf8("\xc3"));
}
