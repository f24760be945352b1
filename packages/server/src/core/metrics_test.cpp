#include "core/metrics.hpp"

#include <gtest/gtest.h>

namespace stepwise::core::metrics {
namespace {

TEST(Metrics, WritesCountersGaugesAndHistogramsInTheTextFormat) {
  Registry r;
  r.Counters("t_requests_total", "Requests.", {"route", "status"}).With({"/a/{id}", "200"}).Inc(2);
  r.Gauges("t_open", "Open.").With({}).Set(3);
  auto& h = r.Histograms("t_seconds", "Time.", {"op"}).With({"put"});
  h.Observe(0.004);
  h.Observe(0.2);
  h.Observe(100);
  const std::string text = r.Text();
  EXPECT_NE(text.find("# HELP t_requests_total Requests.\n# TYPE t_requests_total counter\n"
                      "t_requests_total{route=\"/a/{id}\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE t_open gauge\nt_open 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{op=\"put\",le=\"0.001\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{op=\"put\",le=\"0.005\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{op=\"put\",le=\"0.25\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{op=\"put\",le=\"30\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{op=\"put\",le=\"+Inf\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_sum{op=\"put\"} 100.204\n"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_count{op=\"put\"} 3\n"), std::string::npos) << text;
}

TEST(Metrics, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  Registry r;
  r.Counters("t_total", "T.", {"v"}).With({"say \"hi\""}).Inc();
  EXPECT_NE(r.Text().find("t_total{v=\"say \\\"hi\\\"\"} 1\n"), std::string::npos) << r.Text();
}

TEST(Metrics, OneFamilyPerNameAndCollectorsRunAtScrape) {
  Registry r;
  auto& a = r.Counters("t_total", "T.", {"x"});
  auto& b = r.Counters("t_total", "T.", {"x"});
  EXPECT_EQ(&a, &b);
  int scrapes = 0;
  r.AddCollector([&](Writer& w) {
    ++scrapes;
    w.Header("t_live", "Live.", Kind::kGauge);
    w.Sample("t_live", {{"k", "v"}}, 1.5);
  });
  EXPECT_NE(r.Text().find("t_live{k=\"v\"} 1.5\n"), std::string::npos);
  r.Text();
  EXPECT_EQ(scrapes, 2);
}

}  // namespace
}  // namespace stepwise::core::metrics
