#include "services/checks.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "core/crypto.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "net/egress.hpp"
#include "net/egress_proxy.hpp"
#include "storage/db/repositories.hpp"
#include "storage/db/soci_optional.hpp"
#include "storage/db/workflows.hpp"

namespace stepwise::services {

using json = nlohmann::json;

namespace {

constexpr int64_t kGraceMs = 15000;       // past the check's timeout before it is cancelled
constexpr int64_t kCancelWaitMs = 10000;  // after a cancel before the checker is killed
constexpr size_t kMaxScreenshot = size_t{4} * 1024 * 1024;
const std::set<std::string> kOutcomes = {"found",       "healed",  "uncertain", "not_found",
                                         "unreachable", "skipped", "error"};
const std::set<std::string> kMethods = {"selector", "deterministic", "ai_assisted"};

std::optional<std::string> Text(const json& j, const char* key, size_t max) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return core::TruncateUtf8(it->get<std::string>(), max);
}

std::optional<double> Number(const json& j, const char* key, double lo, double hi) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  const double v = it->get<double>();
  if (!std::isfinite(v)) return std::nullopt;
  return std::clamp(v, lo, hi);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool StepHasValue(const storage::StepRecord& s) {
  return s.action_type == "input_commit" || s.action_type == "select_change";
}

}  // namespace

std::string DecideCheckStatus(const std::string& checker_status, const std::vector<std::string>& outcomes) {
  if (checker_status == "session_expired" || checker_status == "error") return checker_status;
  for (const auto& o : outcomes)
    if (o == "not_found" || o == "uncertain" || o == "error") return "at_risk";
  return "passed";
}

std::optional<CheckAlert> CheckStatusAlert(const std::optional<std::string>& previous,
                                           const std::string& status, const std::string& workflow_name,
                                           const std::string& detail) {
  const std::string quoted = "\u201c" + workflow_name + "\u201d";
  if (status == "at_risk" && previous != status)
    return CheckAlert{"workflow_at_risk", "warning", quoted + " is at risk: a check could not find a step",
                      detail};
  if (status == "session_expired" && previous != status)
    return CheckAlert{"check_session_expired", "warning", "Checks of " + quoted + " need a new session",
                      detail};
  if (status == "passed" && previous == std::optional<std::string>("at_risk"))
    return CheckAlert{"check_passed", "info", quoted + " passes its check again", detail};
  return std::nullopt;
}

std::optional<std::string> OriginOf(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  const std::string scheme = Lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const auto rest = url.substr(scheme_end + 3);
  const auto end = rest.find_first_of("/?#");
  std::string authority = Lower(rest.substr(0, end));
  if (authority.empty() || authority.find('@') != std::string::npos) return std::nullopt;
  const std::string default_port = scheme == "http" ? ":80" : ":443";
  if (authority.size() > default_port.size() &&
      authority.compare(authority.size() - default_port.size(), default_port.size(), default_port) == 0 &&
      authority.back() != ']')
    authority.resize(authority.size() - default_port.size());
  return scheme + "://" + authority;
}

bool CookieDomainMatches(const std::string& domain, const std::string& host) {
  std::string d = Lower(domain);
  if (!d.empty() && d.front() == '.') d.erase(0, 1);
  const std::string h = Lower(host);
  if (d.empty()) return false;
  if (d == h) return true;
  // An address has no parent domains.
  if (h.find(':') != std::string::npos || h.find_first_not_of("0123456789.") == std::string::npos)
    return false;
  return h.size() > d.size() && h.compare(h.size() - d.size(), d.size(), d) == 0 &&
         h[h.size() - d.size() - 1] == '.' && d.find('.') != std::string::npos;
}

namespace {

// (host, port) of an origin "scheme://host[:port]".
std::pair<std::string, int> HostPort(const std::string& origin) {
  const auto scheme_end = origin.find("://");
  const bool https = origin.compare(0, 5, "https") == 0;
  std::string authority = origin.substr(scheme_end + 3);
  int port = https ? 443 : 80;
  std::string host = authority;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      port = std::stoi(authority.substr(close + 2));
  } else if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    port = std::stoi(authority.substr(colon + 1));
  }
  return {host, port};
}

}  // namespace

void CheckService::RequireAdmin(const Caller& caller) const {
  if (caller.role != "admin") throw core::Forbidden("Only admins manage checks");
}

std::string CheckService::SealAad(int64_t company_id, const std::string& what) const {
  return "stepwise check " + std::to_string(company_id) + " " + what;
}

storage::CheckSettingsRecord CheckService::Settings(const Caller& caller, int64_t workflow_id) {
  RequireAdmin(caller);
  return db_.Read([&](soci::session& sql) {
    if (!storage::WorkflowRepository(sql, db_.GetDialect()).Find(caller.company_id, workflow_id))
      throw core::NotFound("WORKFLOW_NOT_FOUND", "Workflow not found");
    auto s = storage::CheckRepository(sql, db_.GetDialect()).Settings(caller.company_id, workflow_id, false);
    if (s) return *s;
    storage::CheckSettingsRecord d;
    d.workflow_id = workflow_id;
    d.company_id = caller.company_id;
    return d;
  });
}

storage::CheckSettingsRecord CheckService::Update(const Caller& caller, int64_t workflow_id,
                                                  const CheckSettingsPatch& patch) {
  RequireAdmin(caller);
  const int64_t now = core::NowMillis();
  auto saved = db_.Transaction([&](soci::session& sql) {
    storage::WorkflowRepository workflows(sql, db_.GetDialect());
    if (!workflows.FindForUpdate(caller.company_id, workflow_id))
      throw core::NotFound("WORKFLOW_NOT_FOUND", "Workflow not found");
    storage::CheckRepository repo(sql, db_.GetDialect());
    auto r = repo.Settings(caller.company_id, workflow_id, true).value_or(storage::CheckSettingsRecord{});
    r.workflow_id = workflow_id;
    r.company_id = caller.company_id;
    const bool was_enabled = r.enabled;
    const int64_t old_interval = r.interval_minutes;
    if (patch.enabled) r.enabled = *patch.enabled;
    if (patch.interval_minutes) r.interval_minutes = *patch.interval_minutes;
    if (patch.mode) r.mode = *patch.mode;
    if (!patch.values.empty()) {
      std::map<std::string, std::string> values;
      if (r.values_sealed && r.values_key_id) {
        const json old =
            json::parse(keys_.Open({*r.values_key_id, *r.values_sealed},
                                   SealAad(caller.company_id, "values " + std::to_string(workflow_id))),
                        nullptr, false);
        if (old.is_object())
          for (const auto& [k, v] : old.items())
            if (v.is_string()) values[k] = v.get<std::string>();
      }
      storage::StepRepository steps(sql, db_.GetDialect());
      json errors = json::array();
      for (const auto& [step_id, value] : patch.values) {
        const auto step = steps.Find(workflow_id, step_id);
        if (!step || !StepHasValue(*step)) {
          errors.push_back({{"pointer", "/values/" + std::to_string(step_id)},
                            {"message", "is not a step of this workflow that types or chooses a value"}});
          continue;
        }
        if (value)
          values[std::to_string(step_id)] = *value;
        else
          values.erase(std::to_string(step_id));
      }
      if (!errors.empty()) throw core::ValidationErrors(errors);
      json ids = json::array();
      json plain = json::object();
      for (const auto& [k, v] : values) {
        ids.push_back(std::stoll(k));
        plain[k] = v;
      }
      if (values.empty()) {
        r.values_key_id.reset();
        r.values_sealed.reset();
      } else {
        const auto sealed =
            keys_.Seal(plain.dump(), SealAad(caller.company_id, "values " + std::to_string(workflow_id)));
        r.values_key_id = sealed.key_id;
        r.values_sealed = sealed.data;
      }
      r.value_step_ids_json = ids.dump();
    }
    if (r.enabled && (!was_enabled || old_interval != r.interval_minutes || !r.next_run_at)) {
      // The first run within one interval (jittered by up to a tenth, so that checks enabled
      // together do not run together).
      static thread_local std::mt19937_64 rng(std::random_device{}());
      const int64_t interval_ms = r.interval_minutes * options_.minute_ms;
      r.next_run_at =
          now + interval_ms - static_cast<int64_t>(rng() % static_cast<uint64_t>(interval_ms / 10 + 1));
    }
    if (!r.enabled) r.next_run_at.reset();
    r.updated_at = now;
    r.updated_by = caller.user_id;
    repo.SaveSettings(r);
    return r;
  });
  if (versions_ != nullptr) versions_->Bump(caller.company_id);
  return saved;
}

CheckRunView CheckService::RunNow(const Caller& caller, int64_t workflow_id) {
  RequireAdmin(caller);
  auto run = db_.Transaction([&](soci::session& sql) {
    const auto w =
        storage::WorkflowRepository(sql, db_.GetDialect()).FindForUpdate(caller.company_id, workflow_id);
    if (!w) throw core::NotFound("WORKFLOW_NOT_FOUND", "Workflow not found");
    if (w->status == "archived")
      throw core::Conflict("WORKFLOW_ARCHIVED", "An archived workflow is not checked");
    if (w->status == "processing" || w->step_count == 0)
      throw core::Conflict("WORKFLOW_NOT_RUNNABLE", "The workflow has no steps ready to check yet");
    storage::CheckRepository repo(sql, db_.GetDialect());
    if (auto in_flight = repo.InFlight(workflow_id)) return *in_flight;
    const auto settings = repo.Settings(caller.company_id, workflow_id, false);
    storage::CheckRunRecord r;
    r.company_id = caller.company_id;
    r.workflow_id = workflow_id;
    r.trigger = "manual";
    r.mode = settings ? settings->mode : "locate";
    r.state = "queued";
    r.requested_by = caller.user_id;
    r.created_at = core::NowMillis();
    r.id = repo.InsertRun(r);
    queue_.EnqueueIn(sql, kRun, {{"run_id", r.id}}, jobs::EnqueueOptions{0, 2});
    return r;
  });
  queue_.Flush();
  return CheckRunView{run, {}};
}

std::pair<std::vector<storage::CheckRunRecord>, int64_t> CheckService::Runs(const Caller& caller,
                                                                            int64_t workflow_id, int limit,
                                                                            int offset) {
  RequireAdmin(caller);
  return db_.Read([&](soci::session& sql) {
    if (!storage::WorkflowRepository(sql, db_.GetDialect()).Find(caller.company_id, workflow_id))
      throw core::NotFound("WORKFLOW_NOT_FOUND", "Workflow not found");
    storage::CheckRepository repo(sql, db_.GetDialect());
    return std::make_pair(repo.Runs(caller.company_id, workflow_id, limit, offset),
                          repo.CountRuns(caller.company_id, workflow_id));
  });
}

CheckRunView CheckService::Run(const Caller& caller, int64_t run_id) {
  RequireAdmin(caller);
  return db_.Read([&](soci::session& sql) {
    storage::CheckRepository repo(sql, db_.GetDialect());
    const auto run = repo.Run(caller.company_id, run_id);
    if (!run) throw core::NotFound("CHECK_RUN_NOT_FOUND", "No such check run");
    return CheckRunView{*run, repo.Steps(run_id)};
  });
}

storage::CheckSessionRecord CheckService::SaveSession(const Caller& caller, const CheckSessionInput& input) {
  RequireAdmin(caller);
  const auto origin = OriginOf(input.origin);
  if (!origin || *origin != Lower(input.origin))
    throw core::ValidationError("/origin", "must be an origin: http(s)://host[:port], nothing after it");
  const std::string host = HostPort(*origin).first;
  json errors = json::array();
  json cookies = json::array();
  for (size_t i = 0; i < input.cookies.size(); ++i) {
    const auto& c = input.cookies[i];
    if (!CookieDomainMatches(c.domain, host)) {
      errors.push_back({{"pointer", "/cookies/" + std::to_string(i) + "/domain"},
                        {"message", "is not " + host + " or a parent domain of it"}});
      continue;
    }
    json j = {{"name", c.name}, {"value", c.value},         {"domain", c.domain},
              {"path", c.path}, {"http_only", c.http_only}, {"secure", c.secure}};
    j["expires"] = c.expires ? json(*c.expires) : json(nullptr);
    if (c.same_site) j["same_site"] = *c.same_site;
    cookies.push_back(std::move(j));
  }
  if (!errors.empty()) throw core::ValidationErrors(errors);
  json storage_items = json::array();
  for (const auto& [k, v] : input.local_storage) storage_items.push_back({{"name", k}, {"value", v}});
  const json plain = {{"cookies", cookies}, {"local_storage", storage_items}};
  const auto sealed = keys_.Seal(plain.dump(), SealAad(caller.company_id, "session " + *origin));
  storage::CheckSessionRecord r;
  r.company_id = caller.company_id;
  r.origin = *origin;
  r.key_id = sealed.key_id;
  r.sealed = sealed.data;
  r.cookie_count = static_cast<int64_t>(cookies.size());
  r.local_storage_count = static_cast<int64_t>(storage_items.size());
  r.captured_at = core::NowMillis();
  r.captured_by = caller.user_id;
  r.id = db_.Transaction(
      [&](soci::session& sql) { return storage::CheckRepository(sql, db_.GetDialect()).SaveSession(r); });
  return r;
}

std::vector<storage::CheckSessionRecord> CheckService::Sessions(const Caller& caller) {
  RequireAdmin(caller);
  return db_.Read([&](soci::session& sql) {
    return storage::CheckRepository(sql, db_.GetDialect()).Sessions(caller.company_id);
  });
}

void CheckService::DeleteSession(const Caller& caller, int64_t id) {
  RequireAdmin(caller);
  const bool gone = db_.Transaction([&](soci::session& sql) {
    return storage::CheckRepository(sql, db_.GetDialect()).DeleteSession(caller.company_id, id);
  });
  if (!gone) throw core::NotFound("CHECK_SESSION_NOT_FOUND", "No such saved session");
}

int CheckService::Schedule() {
  const int64_t now = core::NowMillis();
  static thread_local std::mt19937_64 rng(std::random_device{}());
  const auto due = db_.Transaction([&](soci::session& sql) {
    auto claimed = storage::CheckRepository(sql, db_.GetDialect()).ClaimDue(now, 50, [&](int64_t interval) {
      const int64_t ms = interval * options_.minute_ms;
      return now + ms + static_cast<int64_t>(rng() % static_cast<uint64_t>(ms / 10 + 1));
    });
    for (const auto& d : claimed)
      queue_.EnqueueIn(sql, kRun, {{"run_id", d.run_id}}, jobs::EnqueueOptions{0, 2});
    return claimed;
  });
  if (!due.empty()) queue_.Flush();
  return static_cast<int>(due.size());
}

Caller CheckService::CheckCaller(const storage::CheckRunRecord& run) {
  // The admin who asked for the run, else the one who set the check up, else any admin: the
  // check's heals are made as that admin (server-side evidence, shared with everyone).
  return db_.Read([&](soci::session& sql) {
    std::optional<int64_t> preferred = run.requested_by;
    if (!preferred) {
      if (auto s = storage::CheckRepository(sql, db_.GetDialect())
                       .Settings(run.company_id, run.workflow_id, false))
        preferred = s->updated_by;
    }
    int64_t id = 0;
    const int64_t want = preferred.value_or(0);
    sql << "SELECT id FROM users WHERE company_id = :c AND role = 'admin' ORDER BY CASE WHEN id = :p THEN 0 "
           "ELSE "
           "1 END, id LIMIT 1",
        soci::use(run.company_id), soci::use(want), soci::into(id);
    if (!sql.got_data()) throw jobs::PermanentFailure("the company has no admin to run its checks as");
    return Caller{id, run.company_id, "admin"};
  });
}

void CheckService::Execute(int64_t run_id, bool last_attempt) {
  {
    std::lock_guard lock(slots_mu_);
    if (running_ >= options_.concurrency) {
      queue_.Enqueue(kRun, {{"run_id", run_id}}, jobs::EnqueueOptions{2000, 2});
      return;
    }
    ++running_;
  }
  struct Slot {
    CheckService& s;
    ~Slot() {
      std::lock_guard lock(s.slots_mu_);
      --s.running_;
    }
  } slot{*this};
  auto run = db_.Read(
      [&](soci::session& sql) { return storage::CheckRepository(sql, db_.GetDialect()).Run(0, run_id); });
  if (!run || run->state == "finished") return;
  const Caller caller = CheckCaller(*run);
  WorkflowDetail detail;
  try {
    detail = workflows_.Get(caller, run->workflow_id);
  } catch (const core::Error&) {
    return;  // the workflow is gone, and its runs with it
  }
  const auto settings = db_.Read([&](soci::session& sql) {
    return storage::CheckRepository(sql, db_.GetDialect()).Settings(run->company_id, run->workflow_id, false);
  });

  // The origins the check may visit: where the workflow starts and every page a step was on.
  std::set<std::string> origins;
  if (auto o = OriginOf(detail.workflow.starting_url)) origins.insert(*o);
  for (const auto& s : detail.steps) {
    const json ctx = json::parse(s.page_context_json, nullptr, false);
    if (ctx.is_object() && ctx.contains("url") && ctx["url"].is_string())
      if (auto o = OriginOf(ctx["url"].get<std::string>())) origins.insert(*o);
  }
  const net::EgressPolicy policy = net::EgressPolicy::Tenant(options_.allow_private);
  for (const auto& o : origins) {
    const auto why = net::CheckUrl(o + "/", policy, true);
    if (!why.empty()) {
      Finish(*run, detail, "error",
             "Refused by the egress policy: " + o + ": " + why +
                 (options_.allow_private
                      ? ""
                      : " (CHECKS_ALLOW_PRIVATE=true allows private and loopback addresses)"));
      return;
    }
  }
  if (checker_ == nullptr) {
    Finish(*run, detail, "error", "Checks are not available on this server (no checker)");
    return;
  }

  json message = {{"type", "check"},
                  {"id", std::to_string(run_id)},
                  {"mode", run->mode},
                  {"timeout_ms", options_.timeout_ms},
                  {"viewport", {{"width", options_.viewport_width}, {"height", options_.viewport_height}}},
                  {"workflow", render_(detail)},
                  {"session", nullptr},
                  {"values", json::object()}};
  const auto start_origin = OriginOf(detail.workflow.starting_url);
  if (start_origin) {
    const auto session = db_.Read([&](soci::session& sql) {
      return storage::CheckRepository(sql, db_.GetDialect()).SessionFor(run->company_id, *start_origin);
    });
    if (session) {
      try {
        json s = json::parse(keys_.Open({session->key_id, session->sealed},
                                        SealAad(run->company_id, "session " + *start_origin)));
        s["origin"] = *start_origin;
        message["session"] = std::move(s);
      } catch (const std::exception& e) {
        core::LogWarn("a saved check session did not open", {{"origin", *start_origin}, {"error", e.what()}});
      }
    }
  }
  if (run->mode == "replay" && settings && settings->values_sealed && settings->values_key_id) {
    message["values"] =
        json::parse(keys_.Open({*settings->values_key_id, *settings->values_sealed},
                               SealAad(run->company_id, "values " + std::to_string(run->workflow_id))),
                    nullptr, false);
  }

  std::set<std::pair<std::string, int>> allowed;
  for (const auto& o : origins) allowed.insert(HostPort(o));

  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto old_keys = db_.Transaction([&](soci::session& sql) {
      storage::CheckRepository repo(sql, db_.GetDialect());
      if (!repo.StartRun(run_id, core::NowMillis())) return std::optional<std::vector<std::string>>();
      return std::optional(repo.ClearSteps(run_id));
    });
    if (!old_keys) return;  // finished meanwhile
    for (const auto& k : *old_keys) blobs_.Delete(k);
    run->attempts += 1;

    net::EgressProxy proxy(allowed, options_.allow_private);
    message["proxy"] = proxy.Url();
    Outcome outcome;
    try {
      outcome = Converse(*run, caller, detail, message);
    } catch (const std::exception& e) {
      // The checker could not be started: the job is retried later, and the last try says why.
      if (!last_attempt) throw;
      Finish(*run, detail, "error", std::string("The checker could not run: ") + e.what());
      return;
    }
    proxy.Stop();
    if (outcome.crashed && attempt == 0) {
      core::LogWarn("checker stopped during a check; retrying it", {{"run_id", run_id}});
      continue;
    }
    std::optional<std::string> msg = outcome.message;
    const auto refusals = proxy.Refusals();
    if (!refusals.empty() && (outcome.checker_status == "error" || msg == std::nullopt)) {
      std::string text = "Refused by the egress policy: " + refusals.front();
      msg = msg ? *msg + " — " + text : text;
    }
    if (outcome.crashed) msg = "The checker stopped during the check twice";
    const auto status =
        outcome.crashed ? std::string("error") : DecideCheckStatus(outcome.checker_status, outcome.outcomes);
    Finish(*run, detail, status, msg);
    return;
  }
}

CheckService::Outcome CheckService::Converse(const storage::CheckRunRecord& run, const Caller& caller,
                                             const WorkflowDetail& detail, const json& message) {
  const std::string id = std::to_string(run.id);
  auto conversation = checker_->Open(id);
  Outcome out;
  if (!conversation->Send(message)) {
    out.crashed = true;
    return out;
  }
  const int64_t deadline = core::NowMillis() + options_.timeout_ms + kGraceMs;
  bool cancelled = false;
  for (;;) {
    const int64_t left = (cancelled ? deadline + kCancelWaitMs : deadline) - core::NowMillis();
    if (left <= 0) {
      if (!cancelled) {
        conversation->Send({{"type", "cancel"}, {"id", id}});
        cancelled = true;
        continue;
      }
      // It answers nothing, not even a cancel: a hung checker is killed (and restarted next time).
      checker_->Kill();
      out.checker_status = "error";
      out.message = "The check did not finish in time (the checker was restarted)";
      return out;
    }
    auto line = conversation->Next(left);
    if (!line) continue;
    const std::string type = line->value("type", "");
    if (type == "crashed") {
      out.crashed = true;
      return out;
    }
    if (type == "step") {
      RecordStep(run, detail, *line);
      out.outcomes.push_back(kOutcomes.count(line->value("outcome", "")) ? line->value("outcome", "")
                                                                         : "error");
    } else if (type == "heal") {
      json reply = {{"type", "heal_result"},
                    {"id", id},
                    {"seq", line->value("seq", 0)},
                    {"decision", Heal(caller, run.workflow_id, *line)}};
      conversation->Send(reply);
    } else if (type == "done") {
      const std::string status = line->value("status", "error");
      out.checker_status =
          status == "passed" || status == "at_risk" || status == "session_expired" ? status : "error";
      out.message = Text(*line, "message", 1000);
      if (cancelled && !out.message) out.message = "The check did not finish in time";
      return out;
    }
  }
}

void CheckService::RecordStep(const storage::CheckRunRecord& run, const WorkflowDetail& detail,
                              const json& line) {
  storage::CheckStepRecord s;
  s.run_id = run.id;
  s.idx = static_cast<int64_t>(Number(line, "index", 0, 499).value_or(0));
  const auto step_id = line.find("step_id");
  const storage::StepRecord* step = nullptr;
  if (step_id != line.end() && step_id->is_number_integer())
    for (const auto& st : detail.steps)
      if (st.id == step_id->get<int64_t>()) step = &st;
  if (step == nullptr && static_cast<size_t>(s.idx) < detail.steps.size())
    step = &detail.steps[static_cast<size_t>(s.idx)];
  if (step != nullptr) {
    s.step_id = step->id;
    s.step_number = step->step_number;
    s.field_label = step->field_label;
  } else {
    s.step_number = s.idx + 1;
  }
  const std::string outcome = line.value("outcome", "");
  s.outcome = kOutcomes.count(outcome) ? outcome : "error";
  if (const auto m = Text(line, "method", 32); m && kMethods.count(*m)) s.method = *m;
  s.score = Number(line, "score", 0, 100);
  s.time_ms = static_cast<int64_t>(Number(line, "time_ms", 0, 86400000).value_or(0));
  s.page_url = Text(line, "page_url", 2048);
  s.message = Text(line, "message", 1000);
  const auto box = line.find("box");
  if (box != line.end() && box->is_object()) {
    json b = json::object();
    for (const char* k : {"x", "y", "width", "height"}) {
      const auto v = Number(*box, k, k[0] == 'w' || k[0] == 'h' ? 0 : -100000, 100000);
      if (v) b[k] = *v;
    }
    if (b.size() == 4) s.box_json = b.dump();
  }
  const auto viewport = line.find("viewport");
  if (viewport != line.end() && viewport->is_object()) {
    if (auto w = Number(*viewport, "width", 0, 100000)) s.width = static_cast<int64_t>(*w);
    if (auto h = Number(*viewport, "height", 0, 100000)) s.height = static_cast<int64_t>(*h);
  }
  if (const auto shot = line.find("screenshot"); shot != line.end() && shot->is_string()) {
    const auto bytes = core::Base64Decode(shot->get<std::string>());
    if (bytes && bytes->size() <= kMaxScreenshot && bytes->size() > 3 &&
        static_cast<unsigned char>((*bytes)[0]) == 0xFF && static_cast<unsigned char>((*bytes)[1]) == 0xD8) {
      const std::string key = "checks/" + std::to_string(run.company_id) + "/" + std::to_string(run.id) +
                              "-" + std::to_string(s.idx) + "-" + core::RandomToken(8) + ".jpg";
      blobs_.Put(key, *bytes, "image/jpeg");
      s.screenshot_key = key;
    }
  }
  db_.Transaction([&](soci::session& sql) { storage::CheckRepository(sql, db_.GetDialect()).InsertStep(s); });
}

json CheckService::Heal(const Caller& caller, int64_t workflow_id, const json& line) {
  try {
    HealRequest req;
    req.step_id = line.at("step_id").get<int64_t>();
    const auto& candidates = line.at("candidates");
    if (!candidates.is_array() || candidates.empty()) return nullptr;
    for (const auto& c : candidates) {
      if (req.candidates.size() >= 10) break;
      HealCandidate cand;
      const auto sel = Text(c, "selector", 2000);
      if (!sel || sel->empty() || !c.contains("element_meta") || !c["element_meta"].is_object() ||
          c["element_meta"].dump().size() > 64 * 1024)
        return nullptr;
      cand.selector = *sel;
      cand.selectors =
          c.contains("selectors") && c["selectors"].is_object() && c["selectors"].dump().size() <= 64 * 1024
              ? c["selectors"]
              : json(nullptr);
      cand.element_meta = c["element_meta"];
      cand.score = Number(c, "deterministic_score", 0, 100).value_or(0);
      req.candidates.push_back(std::move(cand));
    }
    if (const auto shot = line.find("screenshot"); shot != line.end() && shot->is_string()) {
      auto bytes = core::Base64Decode(shot->get<std::string>());
      if (bytes && bytes->size() <= kMaxScreenshot) req.screenshot = std::move(*bytes);
    }
    req.page_state_hash = Text(line, "page_state_hash", 128);
    req.page_url = Text(line, "page_url", 2048);
    return HealDecisionJson(healing_.Heal(caller, workflow_id, req));
  } catch (const std::exception& e) {
    core::LogWarn("a check's heal request was not decided", {{"error", e.what()}});
    return nullptr;
  }
}

void CheckService::Finish(const storage::CheckRunRecord& run, const WorkflowDetail& detail,
                          const std::string& status, const std::optional<std::string>& message) {
  const std::string& workflow_name = detail.workflow.name;
  const int64_t now = core::NowMillis();
  std::vector<storage::NotificationRecord> notes;
  std::optional<int64_t> duration_ms;
  db_.Transaction([&](soci::session& sql) {
    storage::CheckRepository repo(sql, db_.GetDialect());
    auto r = repo.Run(0, run.id, true);
    if (!r || r->state == "finished") return;
    auto steps = repo.Steps(run.id);
    std::set<int64_t> reached;
    for (const auto& s : steps) reached.insert(s.idx);
    for (size_t i = 0; i < detail.steps.size(); ++i) {
      if (reached.count(static_cast<int64_t>(i)) != 0) continue;
      storage::CheckStepRecord skipped;
      skipped.run_id = run.id;
      skipped.idx = static_cast<int64_t>(i);
      skipped.step_id = detail.steps[i].id;
      skipped.step_number = detail.steps[i].step_number;
      skipped.field_label = detail.steps[i].field_label;
      skipped.outcome = "skipped";
      repo.InsertStep(skipped);
    }
    steps = repo.Steps(run.id);
    r->status = status;
    r->finished_at = now;
    r->duration_ms = now - r->started_at.value_or(r->created_at);
    r->steps_total = static_cast<int64_t>(steps.size());
    r->steps_found = r->steps_healed = r->steps_missing = 0;
    std::vector<int64_t> missing;
    for (const auto& s : steps) {
      if (s.outcome == "found") ++r->steps_found;
      if (s.outcome == "healed") ++r->steps_healed;
      if (s.outcome == "not_found" || s.outcome == "uncertain" || s.outcome == "error") {
        ++r->steps_missing;
        missing.push_back(s.step_number);
      }
    }
    r->message = message;
    duration_ms = r->duration_ms;
    repo.FinishRun(*r);
    const auto settings = repo.Settings(run.company_id, run.workflow_id, false);
    const std::optional<std::string> previous = settings ? settings->status : std::nullopt;
    if (!settings) {
      storage::CheckSettingsRecord fresh;
      fresh.workflow_id = run.workflow_id;
      fresh.company_id = run.company_id;
      repo.SaveSettings(fresh);
    }
    repo.SetResult(run.workflow_id, status, run.id, now);
    std::string detail;
    if (status == "at_risk") {
      detail = "Step";
      detail += missing.size() == 1 ? " " : "s ";
      for (size_t i = 0; i < missing.size() && i < 10; ++i)
        detail += (i ? ", " : "") + std::to_string(missing[i]);
      detail += missing.size() == 1 ? " was" : " were";
      detail += " not found. Open the check to see what it saw.";
    } else if (status == "session_expired") {
      detail = message.value_or("The check landed on a sign-in page.") +
               " Save a session for checks again from the extension.";
    } else if (status == "passed") {
      detail = "Every step's element was found.";
    }
    if (auto alert = CheckStatusAlert(previous, status, workflow_name, detail)) {
      NewNotification n;
      n.company_id = run.company_id;
      n.workflow_id = run.workflow_id;
      n.type = alert->type;
      n.severity = alert->severity;
      n.title = alert->title;
      n.message = alert->message;
      n.action_url = notifications_.WorkflowUrl(run.workflow_id, "checks/" + std::to_string(run.id));
      if (auto created = notifications_.CreateIn(sql, n)) notes.push_back(*created);
    }
  });
  if (versions_ != nullptr) versions_->Bump(run.company_id);
  for (const auto& n : notes) notifications_.Announce(n);
  static auto& runs = core::metrics::Default().Counters("stepwise_check_runs_total",
                                                        "Check runs finished, by status.", {"status"});
  static auto& took = core::metrics::Default().Histograms(
      "stepwise_check_run_duration_seconds", "Time a check run took, start to finish, in seconds.");
  runs.With({status}).Inc();
  if (duration_ms) took.With({}).Observe(static_cast<double>(*duration_ms) / 1000.0);
  core::LogInfo("check finished", {{"run_id", run.id}, {"workflow_id", run.workflow_id}, {"status", status}});
}

int CheckService::Retention() {
  const int64_t now = core::NowMillis();
  const auto old = db_.Read([&](soci::session& sql) {
    return storage::CheckRepository(sql, db_.GetDialect())
        .OldRuns(now - options_.retention_ms, options_.keep_runs, 500);
  });
  int removed = 0;
  for (const auto& [id, keys] : old) {
    db_.Transaction(
        [&](soci::session& sql) { storage::CheckRepository(sql, db_.GetDialect()).DeleteRun(id); });
    for (const auto& k : keys) blobs_.Delete(k);
    ++removed;
  }
  return removed;
}

}  // namespace stepwise::services
