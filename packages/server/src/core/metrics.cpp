#include "core/metrics.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace stepwise::core::metrics {

namespace {

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string LabelText(const std::vector<std::pair<std::string, std::string>>& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ",";
    out += labels[i].first + "=\"" + EscapeLabel(labels[i].second) + "\"";
  }
  return out + "}";
}

std::vector<std::pair<std::string, std::string>> Zip(const std::vector<std::string>& names,
                                                     const std::vector<std::string>& values) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) out.emplace_back(names[i], values[i]);
  return out;
}

}  // namespace

std::string EscapeLabel(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (const char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < kSecondsBuckets.size() && v > kSecondsBuckets[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::array<uint64_t, kSecondsBuckets.size() + 1> Histogram::Buckets() const {
  std::array<uint64_t, kSecondsBuckets.size() + 1> out{};
  uint64_t total = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

template <class T>
T& Family<T>::With(const std::vector<std::string>& values) {
  std::lock_guard lock(mu_);
  auto& slot = series_[values];
  if (!slot) slot = std::make_unique<T>();
  return *slot;
}

template <class T>
void Family<T>::ForEach(const std::function<void(const std::vector<std::string>&, const T&)>& fn) const {
  std::lock_guard lock(mu_);
  for (const auto& [values, series] : series_) fn(values, *series);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

void Writer::Header(const std::string& name, const std::string& help, Kind kind) {
  out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " +
          (kind == Kind::kCounter ? "counter"
           : kind == Kind::kGauge ? "gauge"
                                  : "histogram") +
          "\n";
}

void Writer::Sample(const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels,
                    double v) {
  out_ += name + LabelText(labels) + " " + Number(v) + "\n";
}

namespace {
template <class T>
Family<T>& Find(std::vector<std::unique_ptr<Family<T>>>& list, const std::string& name,
                const std::string& help, std::vector<std::string> labels) {
  for (auto& f : list)
    if (f->Name() == name) return *f;
  list.push_back(std::make_unique<Family<T>>(name, help, std::move(labels)));
  return *list.back();
}
}  // namespace

Family<Counter>& Registry::Counters(const std::string& name, const std::string& help,
                                    std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  return Find(counters_, name, help, std::move(labels));
}

Family<Gauge>& Registry::Gauges(const std::string& name, const std::string& help,
                                std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  return Find(gauges_, name, help, std::move(labels));
}

Family<Histogram>& Registry::Histograms(const std::string& name, const std::string& help,
                                        std::vector<std::string> labels) {
  std::lock_guard lock(mu_);
  return Find(histograms_, name, help, std::move(labels));
}

void Registry::AddCollector(std::function<void(Writer&)> collect) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collect));
}

std::string Registry::Text() const {
  std::string out;
  Writer w(out);
  std::vector<std::function<void(Writer&)>> collectors;
  {
    std::lock_guard lock(mu_);
    for (const auto& f : counters_) {
      w.Header(f->Name(), f->Help(), Kind::kCounter);
      f->ForEach([&](const auto& values, const Counter& c) {
        w.Sample(f->Name(), Zip(f->Labels(), values), c.Value());
      });
    }
    for (const auto& f : gauges_) {
      w.Header(f->Name(), f->Help(), Kind::kGauge);
      f->ForEach([&](const auto& values, const Gauge& g) {
        w.Sample(f->Name(), Zip(f->Labels(), values), g.Value());
      });
    }
    for (const auto& f : histograms_) {
      w.Header(f->Name(), f->Help(), Kind::kHistogram);
      f->ForEach([&](const auto& values, const Histogram& h) {
        auto labels = Zip(f->Labels(), values);
        const auto buckets = h.Buckets();
        for (size_t i = 0; i < buckets.size(); ++i) {
          auto with_le = labels;
          with_le.emplace_back("le", i < kSecondsBuckets.size() ? Number(kSecondsBuckets[i]) : "+Inf");
          w.Sample(f->Name() + "_bucket", with_le, static_cast<double>(buckets[i]));
        }
        w.Sample(f->Name() + "_sum", labels, h.Sum());
        w.Sample(f->Name() + "_count", labels, static_cast<double>(h.Count()));
      });
    }
    collectors = collectors_;
  }
  for (const auto& c : collectors) c(w);
  return out;
}

Registry& Default() {
  static Registry registry;
  return registry;
}

void CollectProcess(Writer& w) {
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(text.substr(close + 2));
    std::vector<std::string> f;
    for (std::string s; fields >> s;) f.push_back(s);
    // Fields after the name, from 0: state(0) … utime(11) stime(12) … num_threads(17) … starttime(19)
    // vsize(20) rss(21)
    if (f.size() > 21) {
      w.Header("process_cpu_seconds_total", "User and system CPU time of the process, in seconds.",
               Kind::kCounter);
      w.Sample("process_cpu_seconds_total", {}, (std::stod(f[11]) + std::stod(f[12])) / ticks);
      w.Header("process_resident_memory_bytes", "Resident memory of the process, in bytes.", Kind::kGauge);
      w.Sample("process_resident_memory_bytes", {}, std::stod(f[21]) * page);
      w.Header("process_virtual_memory_bytes", "Virtual memory of the process, in bytes.", Kind::kGauge);
      w.Sample("process_virtual_memory_bytes", {}, std::stod(f[20]));
      w.Header("process_threads", "Threads of the process.", Kind::kGauge);
      w.Sample("process_threads", {}, std::stod(f[17]));
      std::ifstream uptime("/proc/uptime");
      double up = 0;
      uptime >> up;
      const double boot = static_cast<double>(::time(nullptr)) - up;
      w.Header("process_start_time_seconds", "Start time of the process since the epoch, in seconds.",
               Kind::kGauge);
      w.Sample("process_start_time_seconds", {}, boot + std::stod(f[19]) / ticks);
    }
  }
  int fds = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++fds;
    ::closedir(d);
    --fds;  // the directory's own
  }
  w.Header("process_open_fds", "Open file descriptors of the process.", Kind::kGauge);
  w.Sample("process_open_fds", {}, fds);
  std::ifstream limits("/proc/self/limits");
  for (std::string line; std::getline(limits, line);) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream in(line.substr(14));
    std::string soft;
    in >> soft;
    if (soft != "unlimited") {
      w.Header("process_max_fds", "The soft limit of open file descriptors.", Kind::kGauge);
      w.Sample("process_max_fds", {}, std::stod(soft));
    }
  }
}

}  // namespace stepwise::core::metrics
