#include "api/contract.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/embedded_file.hpp"
#include "core/errors.hpp"
#include "core/text.hpp"

namespace stepwise::api {

const std::vector<EmbeddedFile>& OpenApiFiles();

using core::Error;
using core::ErrorKind;
using nlohmann::json;

namespace {

constexpr int64_t kMaxId = (int64_t{1} << 53) - 1;
constexpr size_t kMaxReportedErrors = 50;

// valijson checks every constraint of a schema when it collects errors, so a `pattern` would run
// (std::regex, recursive) on a string far longer than its maxLength. Guard each pattern with
// if/then so it only runs on strings that already fit.
void GuardPatterns(json& node) {
  if (node.is_object()) {
    if (node.contains("pattern") && node["pattern"].is_string() && node.contains("maxLength") &&
        node["maxLength"].is_number_integer()) {
      json pattern = node["pattern"];
      node.erase("pattern");
      node["if"] = {{"maxLength", node["maxLength"]}};
      node["then"] = {{"pattern", pattern}};
    }
    for (auto& [k, v] : node.items()) GuardPatterns(v);
  } else if (node.is_array()) {
    for (auto& v : node) GuardPatterns(v);
  }
}

std::string EscapePointer(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

// valijson's context ["<root>", "[email]", "[0]"] → "/email/0".
std::string Pointer(const std::vector<std::string>& context, const std::string& prefix) {
  std::string out = prefix;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      out += "/" + EscapePointer(part.substr(1, part.size() - 2));
    } else {
      out += "/" + EscapePointer(part);
    }
  }
  return out;
}

std::unique_ptr<valijson::Schema> Compile(const json& document) {
  auto schema = std::make_unique<valijson::Schema>();
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  parser.populateSchema(adapter, *schema);
  return schema;
}

void Validate(const valijson::Schema& schema, const json& doc, const std::string& prefix) {
  thread_local valijson::Validator validator;  // keeps a per-thread regex cache
  valijson::adapters::NlohmannJsonAdapter target(doc);
  // The fast path stops at the first failure; only a failing document pays for the full report.
  if (validator.validate(schema, target, nullptr)) return;
  valijson::ValidationResults results;
  validator.validate(schema, target, &results);
  json errors = json::array();
  std::set<std::pair<std::string, std::string>> seen;
  valijson::ValidationResults::Error e;
  std::vector<std::pair<std::string, std::string>> all;
  while (results.popError(e)) all.emplace_back(Pointer(e.context, prefix), e.description);
  // valijson reports each failure again on every enclosing schema ("Failed to validate against
  // schema associated with property name 'x'"); keep the leaf reasons.
  auto is_wrapper = [](const std::string& msg) {
    return msg.rfind("Failed to validate", 0) == 0 || msg.rfind("Failed to match", 0) == 0;
  };
  for (const auto& [ptr, msg] : all) {
    if (is_wrapper(msg)) {
      // Redundant when a specific reason was reported for this value or one inside it.
      const bool explained = std::any_of(all.begin(), all.end(), [&](const auto& other) {
        return !is_wrapper(other.second) && (other.first == ptr || other.first.rfind(ptr + "/", 0) == 0);
      });
      if (explained) continue;
    }
    if (seen.insert({ptr, msg}).second && errors.size() < kMaxReportedErrors) {
      errors.push_back({{"pointer", ptr}, {"message", msg}});
    }
  }
  if (errors.empty()) errors.push_back({{"pointer", prefix}, {"message", "does not match the schema"}});
  throw core::ValidationErrors(errors);
}

const json* Resolve(const json& root, const json& node) {
  const json* cur = &node;
  for (int hops = 0; hops < 8 && cur->is_object() && cur->contains("$ref"); ++hops) {
    const std::string ref = (*cur)["$ref"].get<std::string>();
    if (ref.rfind("#", 0) != 0) return nullptr;
    cur = &root.at(json::json_pointer(ref.substr(1)));
  }
  return cur;
}

std::string PointerTo(const std::string& path, const std::string& method, const std::string& rest) {
  return "#/paths/" + EscapePointer(path) + "/" + method + rest;
}

bool IsJsonContentType(std::string_view ct) {
  const auto semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  while (!type.empty() && type.front() == ' ') type.remove_prefix(1);
  if (type.size() != 16) return false;
  for (size_t i = 0; i < type.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != "application/json"[i]) return false;
  }
  return true;
}

}  // namespace

json ParseJson(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escape = false;
  for (char c : text) {
    if (in_string) {
      if (escape) {
        escape = false;
      } else if (c == '\\') {
        escape = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        throw Error(ErrorKind::kBadRequest, "INVALID_JSON",
                    "The JSON body is nested more than " + std::to_string(max_depth) + " levels deep");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    std::string reason = e.what();
    if (const auto p = reason.find("] "); p != std::string::npos) reason = reason.substr(p + 2);
    throw Error(ErrorKind::kBadRequest, "INVALID_JSON", "The body is not valid JSON",
                {{"reason", reason.substr(0, 300)}, {"byte", e.byte}});
  } catch (const json::exception& e) {  // e.g. a number too large for a double (1e400)
    std::string reason = e.what();
    if (const auto p = reason.find("] "); p != std::string::npos) reason = reason.substr(p + 2);
    throw Error(ErrorKind::kBadRequest, "INVALID_JSON", "The body is not valid JSON",
                {{"reason", reason.substr(0, 300)}});
  }
}

int64_t PathId(const http::Request& req, const std::string& name) {
  const auto it = req.path_params.find(name);
  const std::string value = it == req.path_params.end() ? "" : it->second;
  int64_t id = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size() || id < 1 || id > kMaxId ||
      value[0] == '+' || (value.size() > 1 && value[0] == '0')) {
    throw core::ValidationError("/path/" + name,
                                "must be an integer between 1 and " + std::to_string(kMaxId));
  }
  return id;
}

Contract::Contract(std::string_view openapi_json) : json_text_(openapi_json) {
  json doc = json::parse(openapi_json);
  json guarded = doc;
  GuardPatterns(guarded);
  const json& components = guarded.contains("components") ? guarded["components"] : json::object();
  for (const auto& [path, item] : guarded.at("paths").items()) {
    for (const auto& [method, op] : item.items()) {
      if (!op.is_object() || !op.contains("operationId")) continue;
      Operation operation;
      if (op.contains("requestBody")) {
        const json* body = Resolve(guarded, op["requestBody"]);
        if (body != nullptr && body->contains("content") && (*body)["content"].contains("application/json")) {
          json schema_doc = guarded;
          schema_doc["$ref"] = PointerTo(path, method, "/requestBody/content/application~1json/schema");
          if (op["requestBody"].contains("$ref")) {
            schema_doc["$ref"] =
                op["requestBody"]["$ref"].get<std::string>() + "/content/application~1json/schema";
          }
          operation.body = Compile(schema_doc);
        }
      }
      json params = json::array();
      if (item.contains("parameters"))
        params.insert(params.end(), item["parameters"].begin(), item["parameters"].end());
      if (op.contains("parameters"))
        params.insert(params.end(), op["parameters"].begin(), op["parameters"].end());
      json query_schema = {{"type", "object"}, {"properties", json::object()}, {"components", components}};
      for (const auto& p : params) {
        const json* param = Resolve(guarded, p);
        if (param == nullptr || param->value("in", "") != "query") continue;
        const std::string name = param->at("name").get<std::string>();
        const json& schema = param->contains("schema") ? (*param)["schema"] : json::object();
        const json* resolved = Resolve(guarded, schema);
        QueryParam qp{name, resolved != nullptr ? resolved->value("type", "string") : "string",
                      resolved != nullptr && resolved->contains("default") ? (*resolved)["default"] : json()};
        if (qp.type.empty()) qp.type = "string";
        operation.query_params.push_back(qp);
        query_schema["properties"][name] = schema;
        if (param->value("required", false)) query_schema["required"].push_back(name);
      }
      if (!operation.query_params.empty()) operation.query = Compile(query_schema);
      operations_.emplace(op["operationId"].get<std::string>(), std::move(operation));
    }
  }
}

Contract::~Contract() = default;

const Contract& Contract::Embedded() {
  static const Contract contract = [] {
    for (const auto& f : OpenApiFiles()) {
      if (f.name == "openapi.json") return Contract(f.content);
    }
    throw std::runtime_error("openapi.json is not compiled into this binary");
  }();
  return contract;
}

const Contract::Operation& Contract::Find(std::string_view operation_id) const {
  auto it = operations_.find(std::string(operation_id));
  if (it == operations_.end()) throw std::logic_error("unknown operationId " + std::string(operation_id));
  return it->second;
}

void Contract::ValidateBody(std::string_view operation_id, const json& doc) const {
  const auto& op = Find(operation_id);
  if (op.body) Validate(*op.body, doc, "");
}

namespace {
// JSON may carry \u0000 in strings and keys; nothing we store may (PostgreSQL refuses it).
void CollectNul(const json& node, const std::string& pointer, json& errors) {
  if (errors.size() >= kMaxReportedErrors) return;
  if (node.is_string()) {
    if (node.get_ref<const std::string&>().find('\0') != std::string::npos) {
      errors.push_back({{"pointer", pointer}, {"message", "must not contain NUL characters"}});
    }
  } else if (node.is_object()) {
    for (const auto& [k, v] : node.items()) {
      if (k.find('\0') != std::string::npos) {
        errors.push_back(
            {{"pointer", pointer}, {"message", "property names must not contain NUL characters"}});
        continue;
      }
      CollectNul(v, pointer + "/" + EscapePointer(k), errors);
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) CollectNul(node[i], pointer + "/" + std::to_string(i), errors);
  }
}
}  // namespace

json Contract::Body(std::string_view operation_id, const http::Request& req) const {
  if (!IsJsonContentType(req.Header("Content-Type"))) {
    throw Error(ErrorKind::kUnsupportedMedia, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json");
  }
  json doc = ParseJson(req.body);
  ValidateBody(operation_id, doc);
  json errors = json::array();
  CollectNul(doc, "", errors);
  if (!errors.empty()) {
    throw core::ValidationErrors(errors);
  }
  return doc;
}

json Contract::Query(std::string_view operation_id, const http::Request& req) const {
  const auto& op = Find(operation_id);
  json out = json::object();
  json errors = json::array();
  for (const auto& p : op.query_params) {
    const auto it = req.query.find(p.name);
    if (it == req.query.end()) {
      if (!p.default_value.is_null()) out[p.name] = p.default_value;
      continue;
    }
    const std::string& raw = it->second;
    const std::string pointer = "/query/" + p.name;
    if (!core::IsCleanUtf8(raw)) {
      errors.push_back({{"pointer", pointer}, {"message", "must be UTF-8 text without NUL characters"}});
      continue;
    }
    if (p.type == "integer") {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), v);
      if (raw.empty() || ec != std::errc() || ptr != raw.data() + raw.size()) {
        errors.push_back({{"pointer", pointer}, {"message", "must be an integer"}});
        continue;
      }
      out[p.name] = v;
    } else if (p.type == "number") {
      char* end = nullptr;
      const double v = std::strtod(raw.c_str(), &end);
      if (raw.empty() || end != raw.c_str() + raw.size() || !std::isfinite(v)) {
        errors.push_back({{"pointer", pointer}, {"message", "must be a number"}});
        continue;
      }
      out[p.name] = v;
    } else if (p.type == "boolean") {
      if (raw == "true" || raw == "1") {
        out[p.name] = true;
      } else if (raw == "false" || raw == "0") {
        out[p.name] = false;
      } else {
        errors.push_back({{"pointer", pointer}, {"message", "must be true or false"}});
      }
    } else {
      out[p.name] = raw;
    }
  }
  if (!errors.empty()) {
    throw core::ValidationErrors(errors);
  }
  if (op.query) Validate(*op.query, out, "/query");
  return out;
}

}  // namespace stepwise::api
