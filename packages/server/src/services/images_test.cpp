#include "services/images.hpp"

#include <gtest/gtest.h>

#include <vips/vips8>

#include <atomic>
#include <thread>
#include <vector>

namespace stepwise::services {
namespace {

// A small picture with some structure (so that encoders have something to encode).
vips::VImage Picture(int width, int height, int bands = 3) {
  InitImages("images_test");
  vips::VImage x = vips::VImage::xyz(width, height);
  vips::VImage grey = (x[0] + x[1]).cast(VIPS_FORMAT_UCHAR);
  std::vector<vips::VImage> channels(bands, grey);
  return vips::VImage::bandjoin(channels).copy(
      vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

std::string Bytes(VipsBlob* blob) {
  size_t size = 0;
  const void* data = vips_blob_get(blob, &size);
  std::string out(static_cast<const char*>(data), size);
  vips_area_unref(VIPS_AREA(blob));
  return out;
}

std::string Jpeg(int w, int h) { return Bytes(Picture(w, h).jpegsave_buffer()); }
std::string Png(int w, int h, int bands = 3) { return Bytes(Picture(w, h, bands).pngsave_buffer()); }
std::string Webp(int w, int h) { return Bytes(Picture(w, h).webpsave_buffer()); }

TEST(Images, InspectsRealImages) {
  auto info = InspectImage(Jpeg(64, 48));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->format, "jpeg");
  EXPECT_EQ(info->width, 64);
  EXPECT_EQ(info->height, 48);
  info = InspectImage(Png(30, 20, 4));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->format, "png");
  EXPECT_EQ(info->width, 30);
  EXPECT_EQ(info->height, 20);
  info = InspectImage(Webp(17, 9));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->format, "webp");
  EXPECT_EQ(info->width, 17);
  EXPECT_EQ(info->height, 9);
}

TEST(Images, RejectsWhatIsNotReallyAnImage) {
  EXPECT_FALSE(InspectImage(""));
  EXPECT_FALSE(InspectImage("<html><body>hello</body></html>"));
  // A PNG signature glued to HTML.
  EXPECT_FALSE(InspectImage(std::string("\x89PNG\r\n\x1A\n", 8) + "<html><script>alert(1)</script></html>"));
  // A real PNG header and first chunks, then HTML instead of the rest.
  const std::string png = Png(200, 100);
  EXPECT_FALSE(InspectImage(png.substr(0, 40) + "<html>" + std::string(500, 'A') + "</html>"));
  // Truncated JPEG and WebP.
  const std::string jpeg = Jpeg(300, 200);
  EXPECT_FALSE(InspectImage(jpeg.substr(0, jpeg.size() / 2)));
  const std::string webp = Webp(300, 200);
  EXPECT_FALSE(InspectImage(webp.substr(0, webp.size() / 2)));
  // Bytes of one format are not accepted as another (a GIF is none of the three).
  EXPECT_FALSE(InspectImage("GIF89a\x01\x00\x01\x00\x00\x00\x00;"));
}

TEST(Images, RejectsHugeDimensions) {
  EXPECT_FALSE(InspectImage(Png(20000, 1)));
  EXPECT_TRUE(InspectImage(Png(16384, 1)));
}

TEST(Images, ThumbnailIsWebpAtMost400Wide) {
  for (const std::string& source : {Jpeg(1280, 800), Png(1000, 3000, 4), Webp(800, 600)}) {
    const std::string thumb = MakeThumbnail(source);
    const auto info = InspectImage(thumb);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->format, "webp");
    EXPECT_EQ(info->width, 400);
  }
  // Never upscaled.
  const auto small = InspectImage(MakeThumbnail(Png(120, 50)));
  ASSERT_TRUE(small);
  EXPECT_EQ(small->width, 120);
  EXPECT_EQ(small->height, 50);
  EXPECT_THROW(MakeThumbnail("<html></html>"), std::exception);
  EXPECT_THROW(MakeThumbnail(std::string("\x89PNG\r\n\x1A\n", 8) + "<html>"), std::exception);
}

TEST(Images, ResizeForVisionCapsTheLongEdge) {
  auto info = InspectImage(ResizeForVision(Png(3000, 1000, 4)));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->format, "jpeg");
  EXPECT_EQ(info->width, 1568);
  info = InspectImage(ResizeForVision(Jpeg(500, 2000), 1000));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->height, 1000);
  EXPECT_EQ(info->width, 250);
  info = InspectImage(ResizeForVision(Webp(300, 200)));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->width, 300);
  EXPECT_EQ(info->height, 200);
}

TEST(Images, SafeFromSeveralThreads) {
  const std::string png = Png(640, 400, 4);
  const std::string jpeg = Jpeg(300, 200);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        const bool good = InspectImage(png) && InspectImage(MakeThumbnail(jpeg)) &&
                          !InspectImage(jpeg.substr(0, jpeg.size() / 2));
        ok += good ? 1 : 0;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 20);
}

TEST(Images, InitIsIdempotent) {
  InitImages("a");
  InitImages(nullptr);
  EXPECT_TRUE(InspectImage(Png(2, 2)));
}

}  // namespace
}  // namespace stepwise::services
