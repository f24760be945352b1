#pragma once
// Screenshot images: check that bytes really are the image they claim to be (libvips), measure
// them, and make thumbnails. CPU-heavy: run on the CPU pool.
#include <optional>
#include <string>
#include <string_view>

namespace stepwise::services {

struct ImageInfo {
  std::string format;  // "jpeg", "png" or "webp"
  int width = 0;
  int height = 0;
};

// Call once at start-up (vips_init); safe to call twice.
void InitImages(const char* argv0);
// Megapixels decoded at once across all threads (IMAGE_DECODE_BUDGET_MP; at least 50, the
// largest image): a decode waits until its image fits. Default 100.
void SetDecodeBudget(int64_t megapixels);

// Sniffs the format from the magic bytes and decodes the whole image with libvips (so a PNG
// header glued to HTML fails). nullopt when the bytes are not a decodable JPEG, PNG or WebP, or
// when the dimensions exceed 16384 px on a side or 50 megapixels.
std::optional<ImageInfo> InspectImage(std::string_view bytes);

// A WebP thumbnail about `width` px wide (never upscaled), quality 75. Throws on failure.
std::string MakeThumbnail(std::string_view bytes, int width = 400);

// The same image as JPEG, at most `max_edge` px on its long edge (the AI labeling input).
std::string ResizeForVision(std::string_view bytes, int max_edge = 1568);

}  // namespace stepwise::services
