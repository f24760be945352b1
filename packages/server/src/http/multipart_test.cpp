#include "http/multipart.hpp"

#include <gtest/gtest.h>

namespace stepwise::http {
namespace {

std::string Part(const std::string& boundary, const std::string& headers, const std::string& data) {
  return "--" + boundary + "\r\n" + headers + "\r\n\r\n" + data + "\r\n";
}

std::string Close(const std::string& boundary) { return "--" + boundary + "--\r\n"; }

bool InsideBody(std::string_view body, std::string_view data) {
  return data.data() >= body.data() && data.data() + data.size() <= body.data() + body.size();
}

TEST(MultipartBoundary, ParsesTheContentType) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(MultipartBoundary("Multipart/Form-Data;boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"),
            "----WebKitFormBoundary7MA4YWxkTrZu0gW");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; charset=utf-8; BOUNDARY=\"a b:c\""), "a b:c");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=" + std::string(70, 'x')), std::string(70, 'x'));
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'x')), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data"), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary="), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"\""), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"ends with space \""), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=bad<char>"), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=\"unclosed"), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=a; boundary=b"), std::nullopt);
  EXPECT_EQ(MultipartBoundary("multipart/mixed; boundary=abc"), std::nullopt);
  EXPECT_EQ(MultipartBoundary("application/json"), std::nullopt);
  EXPECT_EQ(MultipartBoundary(""), std::nullopt);
}

TEST(Multipart, OnePart) {
  const std::string body = Part("b", "Content-Disposition: form-data; name=\"field\"", "value") + Close("b");
  const auto r = ParseMultipart(body, "b");
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].name, "field");
  EXPECT_EQ(r.parts[0].filename, std::nullopt);
  EXPECT_EQ(r.parts[0].content_type, "");
  EXPECT_EQ(r.parts[0].data, "value");
  EXPECT_TRUE(InsideBody(body, r.parts[0].data));
}

TEST(Multipart, SeveralPartsWithFilesBinaryAndCrlfInData) {
  std::string binary;
  for (int i = 0; i < 256; ++i) binary.push_back(static_cast<char>(i));
  binary += "\r\n--bo\r\n--boundar\r\n--boundaryX\r\n";  // near-misses of the delimiter are data
  const std::string b = "boundary";
  const std::string body =
      Part(b,
           "Content-Disposition: form-data; name=\"image\"; filename=\"shot.png\"\r\nContent-Type: image/png",
           binary) +
      Part(b, "content-disposition: FORM-DATA; name=image_hash", "sha256:00") +
      Part(b, "Content-Disposition: form-data; name=\"text\"", "line1\r\nline2\r\n\r\n") +
      Part(b, "Content-Disposition: form-data; name=\"empty\"", "") + Close(b);
  const auto r = ParseMultipart(body, b);
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.parts.size(), 4u);
  EXPECT_EQ(r.parts[0].name, "image");
  EXPECT_EQ(r.parts[0].filename, "shot.png");
  EXPECT_EQ(r.parts[0].content_type, "image/png");
  EXPECT_EQ(r.parts[0].data, binary);
  EXPECT_EQ(r.parts[1].name, "image_hash");
  EXPECT_EQ(r.parts[1].data, "sha256:00");
  EXPECT_EQ(r.parts[2].data, "line1\r\nline2\r\n\r\n");
  EXPECT_EQ(r.parts[3].data, "");
  for (const auto& p : r.parts) EXPECT_TRUE(InsideBody(body, p.data));
}

TEST(Multipart, QuotedBoundaryPreambleEpilogueAndPadding) {
  const std::string b = "a b'()+_,-./:=?";
  const std::string body =
      "This is a preamble.\r\n--" + b + "  \t\r\n" +
      "Content-Disposition: form-data; name=\"x\"; filename=\"a \\\"q\\\".txt\"\r\n\r\nX\r\n" + "--" + b +
      "--\r\nand an epilogue that is ignored\r\n--" + b + "\r\n";
  const auto boundary = MultipartBoundary("multipart/form-data; boundary=\"" + b + "\"");
  ASSERT_EQ(boundary, b);
  const auto r = ParseMultipart(body, *boundary);
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.parts.size(), 1u);
  EXPECT_EQ(r.parts[0].filename, "a \"q\".txt");
  EXPECT_EQ(r.parts[0].data, "X");
}

TEST(Multipart, TwoFilesAreFineAtThisLevel) {
  const std::string body =
      Part("b", "Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"", "1") +
      Part("b", "Content-Disposition: form-data; name=\"image\"; filename=\"b.png\"", "2") + Close("b");
  const auto r = ParseMultipart(body, "b");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.parts.size(), 2u);
}

TEST(Multipart, PathTraversalFilenameIsKeptAsData) {
  const std::string body =
      Part("b", "Content-Disposition: form-data; name=\"image\"; filename=\"../../etc/passwd\"", "1") +
      Close("b");
  const auto r = ParseMultipart(body, "b");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.parts[0].filename, "../../etc/passwd");  // never used as a path
}

TEST(Multipart, NoPartsIsNotAnError) {
  const auto r = ParseMultipart(Close("b"), "b");
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.parts.empty());
  // "--bxyz" is not a delimiter of boundary "b": it is preamble, and the body has no parts.
  const auto r2 = ParseMultipart("--bxyz\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b--", "b");
  EXPECT_FALSE(r2.error);
  EXPECT_TRUE(r2.parts.empty());
}

TEST(Multipart, BadBodies) {
  const std::string ok_part = Part("b", "Content-Disposition: form-data; name=\"a\"", "1");
  const std::string good = ok_part + Close("b");
  struct Case {
    std::string name;
    std::string body;
    std::string boundary = "b";
  };
  const std::vector<Case> cases = {
      {"empty body", ""},
      {"wrong boundary", good, "c"},
      {"no opening boundary", "garbage without delimiters"},
      {"truncated in data", good.substr(0, ok_part.size() - 3)},
      {"truncated before close", ok_part},
      {"truncated in headers", "--b\r\nContent-Disposition: form-da"},
      {"truncated after delimiter", "--b"},
      {"header too long", "--b\r\nContent-Disposition: form-data; name=\"a\"; x=\"" + std::string(9000, 'x') +
                              "\"\r\n\r\n1\r\n--b--"},
      {"headers never end, long", "--b\r\nX: " + std::string(10000, 'x')},
      {"no name", Part("b", "Content-Disposition: form-data", "1") + Close("b")},
      {"empty name", Part("b", "Content-Disposition: form-data; name=\"\"", "1") + Close("b")},
      {"not form-data", Part("b", "Content-Disposition: attachment; name=\"a\"", "1") + Close("b")},
      {"no disposition", Part("b", "Content-Type: text/plain", "1") + Close("b")},
      {"no headers", "--b\r\n\r\n1\r\n--b--"},
      {"header without colon", Part("b", "Content-Disposition form-data; name=a", "1") + Close("b")},
      {"folded header", Part("b", "Content-Disposition: form-data;\r\n name=a", "1") + Close("b")},
      {"unclosed quote", Part("b", "Content-Disposition: form-data; name=\"a", "1") + Close("b")},
      {"two dispositions",
       Part("b", "Content-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b", "1") +
           Close("b")},
      {"only a near-miss of the closing delimiter",
       "--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--bxyz"},
      {"boundary too long", good, std::string(71, 'b')},
      {"empty boundary", good, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto r = ParseMultipart(c.body, c.boundary);
    EXPECT_TRUE(r.error.has_value()) << c.name;
    if (r.error) {
      EXPECT_FALSE(r.error->message.empty()) << c.name;
    }
    EXPECT_TRUE(r.parts.empty()) << c.name;
  }
}

TEST(Multipart, TooManyParts) {
  std::string body;
  for (int i = 0; i < 5; ++i) body += Part("b", "Content-Disposition: form-data; name=\"p\"", "x");
  body += Close("b");
  EXPECT_FALSE(ParseMultipart(body, "b", 5).error);
  const auto r = ParseMultipart(body, "b", 4);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->message.find("too many"), std::string::npos);
}

TEST(Multipart, HeaderBlockOfExactlyTheLimitIsAccepted) {
  std::string headers = "Content-Disposition: form-data; name=\"a\"\r\nX-Pad: ";
  headers += std::string(8 * 1024 - headers.size(), 'p');
  ASSERT_EQ(headers.size(), 8u * 1024);
  const auto r = ParseMultipart(Part("b", headers, "1") + Close("b"), "b");
  EXPECT_FALSE(r.error) << r.error->message;
  const auto r2 = ParseMultipart(Part("b", headers + "p", "1") + Close("b"), "b");
  ASSERT_TRUE(r2.error);
  EXPECT_NE(r2.error->message.find("too long"), std::string::npos);
}

}  // namespace
}  // namespace stepwise::http
