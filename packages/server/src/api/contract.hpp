#pragma once
// The HTTP contract (openapi/openapi.yaml, compiled into the binary as JSON) validates every
// request: bodies and query strings are checked with valijson against the operation's schemas.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "http/types.hpp"

namespace valijson {
class Schema;
}

namespace stepwise::api {

class Contract {
 public:
  explicit Contract(std::string_view openapi_json);
  ~Contract();
  // The contract compiled into this binary, parsed on first use.
  static const Contract& Embedded();

  const std::string& Json() const { return json_text_; }

  // Checks the content type, parses (depth ≤ 64, valid UTF-8) and validates the request body of
  // `operation_id`. Throws UNSUPPORTED_MEDIA_TYPE, INVALID_JSON or VALIDATION_ERROR.
  nlohmann::json Body(std::string_view operation_id, const http::Request& req) const;
  // The declared query parameters, converted to their schema types, defaults filled in, and
  // validated. Unknown parameters are ignored. Throws VALIDATION_ERROR (pointers /query/<name>).
  nlohmann::json Query(std::string_view operation_id, const http::Request& req) const;
  // Validates an already parsed document against the body schema (tests, internal use).
  void ValidateBody(std::string_view operation_id, const nlohmann::json& doc) const;

 private:
  struct QueryParam {
    std::string name;
    std::string type;  // integer, number, boolean, string
    nlohmann::json default_value;
  };
  struct Operation {
    std::unique_ptr<valijson::Schema> body;
    std::unique_ptr<valijson::Schema> query;
    std::vector<QueryParam> query_params;
  };
  const Operation& Find(std::string_view operation_id) const;

  std::string json_text_;
  std::unordered_map<std::string, Operation> operations_;
};

// Parses a JSON text, rejecting nesting deeper than `max_depth` before the parser sees it.
// Throws INVALID_JSON.
nlohmann::json ParseJson(std::string_view text, int max_depth = 64);

// A path parameter that must be an id: a positive integer up to 2^53-1. Throws VALIDATION_ERROR.
int64_t PathId(const http::Request& req, const std::string& name);

}  // namespace stepwise::api
