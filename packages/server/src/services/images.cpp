#include "services/images.hpp"

#include <vips/vips8>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace stepwise::services {
namespace {

constexpr int kMaxSide = 16384;
constexpr int64_t kMaxPixels = 50'000'000;

enum class Format { kJpeg, kPng, kWebp };

std::optional<Format> Sniff(std::string_view b) {
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return Format::kJpeg;
  if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8)) return Format::kPng;
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return Format::kWebp;
  return std::nullopt;
}

const char* Name(Format f) {
  switch (f) {
    case Format::kJpeg:
      return "jpeg";
    case Format::kPng:
      return "png";
    case Format::kWebp:
      return "webp";
  }
  return "";
}

std::once_flag init_once;

void EnsureInit(const char* argv0) {
  std::call_once(init_once, [argv0] {
    if (VIPS_INIT(argv0 ? argv0 : "stepwise") != 0) {
      throw std::runtime_error(std::string("libvips failed to start: ") + vips_error_buffer());
    }
    // Every image is decoded once; a cache of operations would only hold memory.
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    // One thread per pipeline: the server runs decodes side by side on its CPU pool already, and
    // each extra libvips worker holds buffers of its own.
    vips_concurrency_set(1);
    // Only the built-in, fuzzed loaders (no ImageMagick, PDF, …) may ever see user bytes.
    vips_block_untrusted_set(TRUE);
    // Garbage uploads make libvips warn on stderr; rejecting them is the expected outcome.
    g_log_set_handler(
        "VIPS", G_LOG_LEVEL_WARNING, [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
  });
}

// Pixels being decoded at once, across every thread: a decode waits until its image fits, so
// eight 50-megapixel screenshots arriving together are decoded two at a time while ordinary ones
// (a few megapixels) never wait for each other.
class PixelBudget {
 public:
  void SetLimit(int64_t pixels) {
    std::lock_guard lock(mu_);
    limit_ = std::max<int64_t>(pixels, kMaxPixels);
    cv_.notify_all();
  }
  int64_t Acquire(int64_t pixels) {
    std::unique_lock lock(mu_);
    pixels = std::clamp<int64_t>(pixels, 1, limit_);
    cv_.wait(lock, [&] { return in_use_ + pixels <= limit_; });
    in_use_ += pixels;
    return pixels;
  }
  void Release(int64_t pixels) {
    {
      std::lock_guard lock(mu_);
      in_use_ -= pixels;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t limit_ = 2 * kMaxPixels;
  int64_t in_use_ = 0;
};

PixelBudget& Budget() {
  static PixelBudget budget;
  return budget;
}

struct Decoding {
  int64_t held;
  explicit Decoding(int64_t pixels) : held(Budget().Acquire(pixels)) {}
  ~Decoding() { Budget().Release(held); }
  Decoding(const Decoding&) = delete;
  Decoding& operator=(const Decoding&) = delete;
};

// A VipsBlob over caller-owned bytes (no copy); unreferenced on scope exit.
struct Blob {
  VipsBlob* blob;
  explicit Blob(std::string_view bytes) : blob(vips_blob_new(nullptr, bytes.data(), bytes.size())) {}
  ~Blob() { vips_area_unref(VIPS_AREA(blob)); }
  Blob(const Blob&) = delete;
  Blob& operator=(const Blob&) = delete;
};

std::string TakeBlob(VipsBlob* out) {
  size_t size = 0;
  const void* data = vips_blob_get(out, &size);
  std::string bytes(static_cast<const char*>(data), size);
  vips_area_unref(VIPS_AREA(out));
  return bytes;
}

vips::VImage Load(Format format, VipsBlob* blob) {
  auto options =
      vips::VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL)->set("fail_on", VIPS_FAIL_ON_ERROR);
  switch (format) {
    case Format::kJpeg:
      return vips::VImage::jpegload_buffer(blob, options);
    case Format::kPng:
      return vips::VImage::pngload_buffer(blob, options);
    case Format::kWebp:
      return vips::VImage::webpload_buffer(blob, options);
  }
  throw std::logic_error("unknown image format");
}

// 8-bit sRGB without alpha problems: what the encoders below expect.
vips::VImage ToSrgb8(vips::VImage image, bool drop_alpha) {
  if (image.interpretation() != VIPS_INTERPRETATION_sRGB) image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  if (drop_alpha && image.has_alpha()) {
    image = image.flatten(vips::VImage::option()->set("background", std::vector<double>{255, 255, 255}));
  }
  if (image.format() != VIPS_FORMAT_UCHAR) image = image.cast(VIPS_FORMAT_UCHAR);
  return image;
}

// Pixels of the image the header declares (the header only: nothing is decoded).
int64_t DeclaredPixels(Format format, std::string_view bytes) {
  Blob blob(bytes);
  vips::VImage image = Load(format, blob.blob);
  return static_cast<int64_t>(image.width()) * image.height();
}

// Shrink-on-load where the format has it (JPEG's DCT scaling, WebP's scaled decode); PNG
// streams through a line buffer. Call inside a Decoding that covers the source's pixels.
vips::VImage Thumbnail(std::string_view bytes, int width, int height) {
  if (!Sniff(bytes)) throw std::invalid_argument("not a JPEG, PNG or WebP image");
  if (width <= 0 || height <= 0) throw std::invalid_argument("thumbnail size must be positive");
  Blob blob(bytes);
  return vips::VImage::thumbnail_buffer(
      blob.blob, width, vips::VImage::option()->set("height", height)->set("size", VIPS_SIZE_DOWN));
}

// Encodes `make()`'s image to bytes while holding decode budget for the source's pixels.
template <typename Make>
std::string Encode(std::string_view bytes, Make make) {
  const auto format = Sniff(bytes);
  if (!format) throw std::invalid_argument("not a JPEG, PNG or WebP image");
  Decoding decoding(DeclaredPixels(*format, bytes));
  return make();
}

}  // namespace

void InitImages(const char* argv0) { EnsureInit(argv0); }

void SetDecodeBudget(int64_t megapixels) { Budget().SetLimit(megapixels * 1'000'000); }

std::optional<ImageInfo> InspectImage(std::string_view bytes) {
  EnsureInit(nullptr);
  const auto format = Sniff(bytes);
  if (!format) return std::nullopt;
  try {
    Blob blob(bytes);
    vips::VImage image = Load(*format, blob.blob);
    const int width = image.width();
    const int height = image.height();
    // Check the header before decoding a single pixel: a tiny file may claim a huge image.
    if (width <= 0 || height <= 0 || width > kMaxSide || height > kMaxSide ||
        static_cast<int64_t>(width) * height > kMaxPixels) {
      return std::nullopt;
    }
    // Decode every pixel (streamed, so memory stays small): a valid header followed by garbage
    // or a truncated file fails here.
    Decoding decoding(static_cast<int64_t>(width) * height);
    (void)image.avg();
    return ImageInfo{Name(*format), width, height};
  } catch (const vips::VError&) {
    vips_error_clear();
    return std::nullopt;
  }
}

std::string MakeThumbnail(std::string_view bytes, int width) {
  EnsureInit(nullptr);
  try {
    return Encode(bytes, [&] {
      vips::VImage thumb = ToSrgb8(Thumbnail(bytes, width, kMaxSide), false);
      return TakeBlob(thumb.webpsave_buffer(vips::VImage::option()->set("Q", 75)->set("strip", true)));
    });
  } catch (const vips::VError& e) {
    vips_error_clear();
    throw std::runtime_error(std::string("thumbnail failed: ") + e.what());
  }
}

std::string ResizeForVision(std::string_view bytes, int max_edge) {
  EnsureInit(nullptr);
  try {
    return Encode(bytes, [&] {
      vips::VImage image = ToSrgb8(Thumbnail(bytes, max_edge, max_edge), true);
      return TakeBlob(image.jpegsave_buffer(vips::VImage::option()->set("Q", 85)->set("strip", true)));
    });
  } catch (const vips::VError& e) {
    vips_error_clear();
    throw std::runtime_error(std::string("resize failed: ") + e.what());
  }
}

}  // namespace stepwise::services
