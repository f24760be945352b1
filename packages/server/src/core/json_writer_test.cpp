#include "core/json_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using stepwise::core::JsonWriter;

TEST(JsonWriter, WritesNestedDocumentsThatParseBack) {
  JsonWriter w;
  w.BeginObject()
      .Key("a")
      .Int(-5)
      .Key("s")
      .String("q\"uo\\te\n\x01 é")
      .Key("list")
      .BeginArray()
      .Int(1)
      .Double(2.5)
      .Bool(true)
      .Null()
      .BeginObject()
      .EndObject()
      .EndArray()
      .Key("raw")
      .Raw(R"({"x":[1,2]})")
      .Key("none")
      .OptString(std::nullopt)
      .EndObject();
  const auto doc = nlohmann::json::parse(w.View());
  EXPECT_EQ(doc["a"], -5);
  EXPECT_EQ(doc["s"], "q\"uo\\te\n\x01 é");
  EXPECT_EQ(doc["list"].size(), 5u);
  EXPECT_EQ(doc["list"][1], 2.5);
  EXPECT_EQ(doc["raw"]["x"][1], 2);
  EXPECT_TRUE(doc["none"].is_null());
}

TEST(JsonWriter, NonFiniteNumbersBecomeNull) {
  JsonWriter w;
  w.BeginArray().Double(1.0 / 0.0).Double(0.1).EndArray();
  EXPECT_EQ(w.View(), "[null,0.1]");
}
