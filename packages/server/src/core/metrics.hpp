#pragma once
// Metrics in the Prometheus text format (version 0.0.4), for GET /metrics. Debian 12 packages no
// C++ Prometheus client, so this is the small part of one the server needs: counters, gauges and
// histograms in labelled families, registered once and updated lock-free, and collectors that
// read a value when scraped (process, pool, queue). Names and help texts follow the Prometheus
// naming rules (`stepwise_…_total` for counters, `_seconds` and `_bytes` base units).
#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace stepwise::core::metrics {

class Counter {
 public:
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Latency buckets in seconds, 1 ms … 30 s.
inline constexpr std::array<double, 14> kSecondsBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                           0.25,  0.5,    1,     2.5,  5,     10,   30};

class Histogram {
 public:
  void Observe(double v);
  // Cumulative counts per bucket (the last is +Inf), the sum and the count.
  std::array<uint64_t, kSecondsBuckets.size() + 1> Buckets() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<uint64_t>, kSecondsBuckets.size() + 1> buckets_{};
  std::atomic<double> sum_{0};
  std::atomic<uint64_t> count_{0};
};

enum class Kind { kCounter, kGauge, kHistogram };

// One metric name: its series, one per combination of label values.
template <class T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels)
      : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {}
  // The series for these label values (in the order of the family's labels), made on first use.
  T& With(const std::vector<std::string>& values);
  const std::string& Name() const { return name_; }
  const std::string& Help() const { return help_; }
  const std::vector<std::string>& Labels() const { return labels_; }
  // Each series under the family's lock.
  void ForEach(const std::function<void(const std::vector<std::string>&, const T&)>& fn) const;

 private:
  std::string name_, help_;
  std::vector<std::string> labels_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> series_;
};

// Writes collected values while a scrape renders the text.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void Header(const std::string& name, const std::string& help, Kind kind);
  void Sample(const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels,
              double v);

 private:
  std::string& out_;
};

class Registry {
 public:
  Family<Counter>& Counters(const std::string& name, const std::string& help,
                            std::vector<std::string> labels = {});
  Family<Gauge>& Gauges(const std::string& name, const std::string& help,
                        std::vector<std::string> labels = {});
  Family<Histogram>& Histograms(const std::string& name, const std::string& help,
                                std::vector<std::string> labels = {});
  // Runs at every scrape, after the families (values read when asked: process, pool, queue).
  void AddCollector(std::function<void(Writer&)> collect);
  std::string Text() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Family<Counter>>> counters_;
  std::vector<std::unique_ptr<Family<Gauge>>> gauges_;
  std::vector<std::unique_ptr<Family<Histogram>>> histograms_;
  std::vector<std::function<void(Writer&)>> collectors_;
};

// The process's registry.
Registry& Default();

// Escapes a label value for the text format (backslash, quote, newline).
std::string EscapeLabel(const std::string& v);

// process_* metrics of this process, read from /proc/self (CPU, resident memory, open fds,
// threads, start time): a collector for Default().
void CollectProcess(Writer& w);

}  // namespace stepwise::core::metrics
