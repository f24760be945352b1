#include "core/time.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace stepwise::core {

int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool SleepUnlessStopped(const std::stop_token& stop, std::chrono::milliseconds duration) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, stop, duration, [] { return false; });
  return !stop.stop_requested();
}

namespace {
void Civil(int64_t unix_millis, std::tm& tm, int& millis) {
  int64_t secs = unix_millis / 1000;
  millis = static_cast<int>(unix_millis % 1000);
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  auto t = static_cast<std::time_t>(secs);
  gmtime_r(&t, &tm);
}

// Days from civil date (Howard Hinnant's algorithm), so parsing needs no timezone state.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
}  // namespace

namespace {
// Hot path (every timestamp of every list row): digits by hand, no locale, no printf.
void Put(char*& p, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  p += width;
}

std::string Format(int64_t unix_millis, bool with_millis) {
  std::tm tm{};
  int ms = 0;
  Civil(unix_millis, tm, ms);
  char buf[32];
  char* p = buf;
  Put(p, tm.tm_year + 1900, 4);
  *p++ = '-';
  Put(p, tm.tm_mon + 1, 2);
  *p++ = '-';
  Put(p, tm.tm_mday, 2);
  *p++ = 'T';
  Put(p, tm.tm_hour, 2);
  *p++ = ':';
  Put(p, tm.tm_min, 2);
  *p++ = ':';
  Put(p, tm.tm_sec, 2);
  if (with_millis) {
    *p++ = '.';
    Put(p, ms, 3);
  }
  *p++ = 'Z';
  return {buf, p};
}
}  // namespace

std::string FormatIsoMillis(int64_t unix_millis) { return Format(unix_millis, true); }

std::string FormatIso(int64_t unix_millis) { return Format(unix_millis, false); }

std::optional<int64_t> ParseDbTime(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !Digits(s, 11, 2, h) || s[13] != ':' ||
      !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
  }
  int offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const int sign = s[pos] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!Digits(s, pos + 1, 2, oh)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (pos + 2 <= s.size() && Digits(s, pos, 2, om)) pos += 2;
      offset_minutes = sign * (oh * 60 + om);
    }
  }
  if (pos != s.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
    return std::nullopt;
  }
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_minutes * 60;
  return secs * 1000 + millis;
}

}  // namespace stepwise::core
