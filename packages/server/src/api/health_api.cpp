// Walkthrough reports, workflow health, the auto-heal decision and the heal review queue.
#include "api/app.hpp"
#include "api/views.hpp"
#include "core/crypto.hpp"
#include "core/time.hpp"
#include "http/blocking_pool.hpp"

namespace stepwise::api {

using http::Access;
using http::Context;
using http::Response;
using http::Task;
using nlohmann::json;

namespace {

constexpr int64_t kHealBodyLimit = 8 * 1024 * 1024;  // a 5 MB screenshot in base64, and the rest
constexpr int64_t kMaxScreenshotBytes = 5 * 1024 * 1024;
template <class T>
std::optional<T> Opt(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<T>();
}

std::vector<services::RunReportEntry> Entries(const json& body) {
  std::vector<services::RunReportEntry> out;
  for (const auto& e : body.at("entries")) {
    services::RunReportEntry h;
    h.client_id = e.at("client_id").get<std::string>();
    h.run_id = e.at("run_id").get<std::string>();
    h.step_id = Opt<int64_t>(e, "step_id");
    h.status = e.at("status").get<std::string>();
    h.error_type = Opt<std::string>(e, "error_type");
    h.error_message = Opt<std::string>(e, "error_message");
    h.healing_confidence = Opt<double>(e, "healing_confidence");
    h.deterministic_score = Opt<double>(e, "deterministic_score");
    h.ai_confidence = Opt<double>(e, "ai_confidence");
    h.candidates_evaluated = Opt<int64_t>(e, "candidates_evaluated");
    h.page_state_hash = Opt<std::string>(e, "page_state_hash");
    h.page_url = Opt<std::string>(e, "page_url");
    h.execution_time_ms = Opt<int64_t>(e, "execution_time_ms");
    out.push_back(std::move(h));
  }
  return out;
}

// The screenshot from base64 (a data: URL is fine). 422 when it is not base64, 413 when too large.
std::optional<std::string> Screenshot(const json& body) {
  if (!body.contains("current_screenshot") || body["current_screenshot"].is_null()) return std::nullopt;
  std::string text = body["current_screenshot"].get<std::string>();
  if (text.rfind("data:", 0) == 0) {
    const auto comma = text.find(',');
    if (comma == std::string::npos || text.substr(0, comma).find(";base64") == std::string::npos)
      throw core::ValidationError("/current_screenshot", "must be base64 or a base64 data: URL");
    text = text.substr(comma + 1);
  }
  auto bytes = core::Base64Decode(text);
  if (!bytes) throw core::ValidationError("/current_screenshot", "is not valid base64");
  if (static_cast<int64_t>(bytes->size()) > kMaxScreenshotBytes) {
    throw core::Error(core::ErrorKind::kTooLarge, "PAYLOAD_TOO_LARGE", "The screenshot is larger than 5 MB");
  }
  return bytes;
}

// Blob key → signed URL, for the heal reviews' screenshots.
BlobLink BlobLinks(const App& app, const http::Request& req) {
  const int64_t now = core::NowSeconds();
  return [&app, &req, now](const std::string& key) { return BlobUrl(app, req, key, now); };
}

}  // namespace

void RegisterHealthRoutes(http::Router& router, App& app) {
  router.Add("POST", "/api/workflows/{id}/health-logs", Access::kUser,
             [&app](Context& ctx) -> Task<Response> {
               const int64_t id = PathId(ctx.req, "id");
               const json body = app.contract.Body("reportHealth", ctx.req);
               const auto entries = Entries(body);
               const auto caller = CallerOf(ctx);
               auto r = co_await ctx.db.Run([&] { return app.health.Report(caller, id, entries); });
               co_return Response::Data({{"accepted", r.accepted},
                                         {"duplicates", r.duplicates},
                                         {"workflow", HealthFieldsJson(r.workflow)}});
             });

  router.Add("GET", "/api/workflows/{id}/health", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const int64_t id = PathId(ctx.req, "id");
    const json q = app.contract.Query("getWorkflowHealth", ctx.req);
    const int days = q.value("days", 30);
    const auto caller = CallerOf(ctx);
    auto report = co_await ctx.db.Run([&] { return app.health.HealthReport(caller, id, days); });
    co_return Response::Data(HealthReportJson(report));
  });

  router
      .Add("POST", "/api/workflows/{id}/auto-heal", Access::kUser,
           [&app](Context& ctx) -> Task<Response> {
             const int64_t id = PathId(ctx.req, "id");
             const auto caller = CallerOf(ctx);
             // Parsing, base64 and image checks, the database and maybe the AI: on the pool for
             // AI-bound requests, which holds no database connection while it waits.
             auto decision = co_await app.ai_pool.Run([&] {
               const json body = app.contract.Body("autoHeal", ctx.req);
               services::HealRequest req;
               req.step_id = body.at("step_id").get<int64_t>();
               for (const auto& c : body.at("candidates")) {
                 services::HealCandidate cand;
                 cand.selector = c.at("selector").get<std::string>();
                 cand.selectors = c.value("selectors", json(nullptr));
                 cand.element_meta = c.at("element_meta");
                 cand.score = c.at("deterministic_score").get<double>();
                 req.candidates.push_back(std::move(cand));
               }
               req.screenshot = Screenshot(body);
               req.page_state_hash = Opt<std::string>(body, "current_page_state_hash");
               req.page_url = Opt<std::string>(body, "page_url");
               return app.healing.Heal(caller, id, req);
             });
             co_return Response::Data(services::HealDecisionJson(decision));
           })
      .body_limit = kHealBodyLimit;

  router.Add("POST", "/api/workflows/{id}/steps/{step_id}/heal-votes", Access::kUser,
             [&app](Context& ctx) -> Task<Response> {
               const int64_t id = PathId(ctx.req, "id");
               const json body = app.contract.Body("voteHeal", ctx.req);
               services::HealVoteRequest req;
               req.step_id = PathId(ctx.req, "step_id");
               req.vote = body.at("vote").get<std::string>();
               req.how = body.at("how").get<std::string>();
               req.selector = body.at("selector").get<std::string>();
               req.selectors = body.value("selectors", json(nullptr));
               req.element_meta = body.value("element_meta", json(nullptr));
               req.page_state_hash = body.at("page_state_hash").get<std::string>();
               const auto caller = CallerOf(ctx);
               auto result = co_await ctx.db.Run([&] { return app.healing.Vote(caller, id, req); });
               core::JsonWriter out(2048);
               out.BeginObject().Key("data").BeginObject();
               out.Key("status").String(result.status);
               out.Key("confirmations").Int(result.confirmations);
               out.Key("rejections").Int(result.rejections);
               out.Key("required").Int(result.required);
               out.Key("variant");
               if (result.variant) {
                 WriteVariant(out, *result.variant);
               } else {
                 out.Null();
               }
               out.EndObject().Key("meta").BeginObject().EndObject().EndObject();
               Response r;
               r.body = out.Take();
               co_return r;
             });

  router.Add("GET", "/api/heal-reviews", Access::kAdmin, [&app](Context& ctx) -> Task<Response> {
    const json q = app.contract.Query("listHealReviews", ctx.req);
    const auto caller = CallerOf(ctx);
    const std::string status = q.value("status", std::string("pending"));
    const int limit = q.value("limit", 50);
    const int offset = q.value("offset", 0);
    std::optional<int64_t> workflow_id;
    if (q.contains("workflow_id")) workflow_id = q["workflow_id"].get<int64_t>();
    auto page =
        co_await ctx.db.Run([&] { return app.healing.Reviews(caller, status, workflow_id, limit, offset); });
    const auto link = BlobLinks(app, ctx.req);
    json items = json::array();
    for (const auto& review : page.items) items.push_back(HealReviewJson(review, link));
    co_return Response::Data(items, 200, {{"total", page.total}, {"limit", limit}, {"offset", offset}});
  });

  for (const bool approve : {true, false}) {
    router.Add("POST", approve ? "/api/heal-reviews/{id}/approve" : "/api/heal-reviews/{id}/reject",
               Access::kAdmin, [&app, approve](Context& ctx) -> Task<Response> {
                 const int64_t id = PathId(ctx.req, "id");
                 const auto caller = CallerOf(ctx);
                 auto review = co_await ctx.db.Run([&] { return app.healing.Decide(caller, id, approve); });
                 co_return Response::Data(HealReviewJson(review, BlobLinks(app, ctx.req)));
               });
  }
}

}  // namespace stepwise::api
