#pragma once
// A streaming JSON writer for hot responses (lists, workflow detail): no intermediate DOM, one
// growing buffer. Strings are escaped per RFC 8259; they are expected to be UTF-8 already (they
// come from validated requests or from the database).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stepwise::core {

class JsonWriter {
 public:
  explicit JsonWriter(size_t reserve = 4096) { out_.reserve(reserve); }

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view v);
  JsonWriter& Int(int64_t v);
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Already-serialised JSON, inserted as it is.
  JsonWriter& Raw(std::string_view json);

  JsonWriter& OptString(const std::optional<std::string>& v) { return v ? String(*v) : Null(); }
  JsonWriter& OptInt(const std::optional<int64_t>& v) { return v ? Int(*v) : Null(); }
  JsonWriter& OptDouble(const std::optional<double>& v) { return v ? Double(*v) : Null(); }
  JsonWriter& OptRaw(const std::optional<std::string>& v) { return v ? Raw(*v) : Null(); }

  std::string Take() { return std::move(out_); }
  const std::string& View() const { return out_; }

 private:
  void Separate();
  void Escaped(std::string_view v);
  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace stepwise::core
