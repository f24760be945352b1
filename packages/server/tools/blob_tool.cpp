// stepwise_blob_tool: drives the blob stores from the command line, for the S3 compatibility
// tests (packages/server/tests/test_s3.py) and for poking at a bucket by hand.
//
//   STORAGE_URL=… [BLOB_SIGNING_KEY=…] stepwise_blob_tool put KEY FILE [CONTENT_TYPE]
//                                                          get KEY          (bytes on stdout; exit 3 if
//                                                          missing) delete KEY exists KEY       (prints true
//                                                          / false) sign KEY NOW TTL (prints the signed URL)
//   stepwise_blob_tool verify KEY EXPIRES SIG NOW          (local URL check; prints true / false)
//   stepwise_blob_tool sigv4 < requests.json               (SigV4 of each request, as JSON; see
//                                                          tests/s3/sigv4-reference.mjs for the format)
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "storage/blobs/blob_store.hpp"
#include "storage/blobs/sigv4.hpp"

namespace {

using stepwise::storage::sigv4::Pairs;
namespace sigv4 = stepwise::storage::sigv4;

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

int Usage() {
  std::cerr << "usage: stepwise_blob_tool put KEY FILE [TYPE] | get KEY | delete KEY | exists KEY | sign KEY "
               "NOW TTL"
               " | verify KEY EXPIRES SIG NOW | sigv4 < requests.json\n";
  return 2;
}

Pairs ToPairs(const nlohmann::json& j) {
  Pairs out;
  if (j.is_null()) return out;
  for (const auto& p : j) out.emplace_back(p.at(0).get<std::string>(), p.at(1).get<std::string>());
  return out;
}

// One request in, what we compute for it out: the same fields the reference script prints.
nlohmann::json SignOne(const nlohmann::json& in) {
  sigv4::Credentials creds{in.at("access_key_id"), in.at("secret_access_key"), in.value("session_token", "")};
  const std::string region = in.at("region");
  const std::string service = in.value("service", "s3");
  const int64_t now = in.at("now");
  const std::string host = in.at("host");

  sigv4::Request request;
  request.method = in.at("method");
  request.path = in.at("path");
  request.query = ToPairs(in.value("query", nlohmann::json()));
  request.headers = {{"host", host}};
  for (auto& h : ToPairs(in.value("headers", nlohmann::json()))) request.headers.push_back(std::move(h));
  request.payload_sha256 = in.at("payload_sha256");
  sigv4::Request to_sign = request;
  const std::string authorization = sigv4::SignRequest(to_sign, creds, region, service, now);

  sigv4::Request presign;
  presign.method = request.method;
  presign.path = request.path;
  presign.query = request.query;
  presign.query.emplace_back("X-Amz-Content-Sha256", std::string(sigv4::kUnsignedPayload));
  const std::string url =
      sigv4::PresignedUrl(presign, "https", host, creds, region, service, now, in.value("expires", 900));
  return {{"name", in.value("name", "")},
          {"authorization", authorization},
          {"canonical_request", sigv4::CanonicalRequest(to_sign)},
          {"presigned_url", url}};
}

int Run(int argc, char** argv) {
  if (argc < 2) return Usage();
  const std::string cmd = argv[1];
  if (cmd == "sigv4") {
    const auto requests = nlohmann::json::parse(std::cin);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : requests) out.push_back(SignOne(r));
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  const std::string signing_key = Env("BLOB_SIGNING_KEY", "blob-tool-signing-key");
  if (cmd == "verify" && argc == 6) {
    const bool ok = stepwise::storage::VerifyLocalBlobSignature(signing_key, argv[2], std::stoll(argv[3]),
                                                                argv[4], std::stoll(argv[5]));
    std::cout << (ok ? "true" : "false") << "\n";
    return 0;
  }
  auto store = stepwise::storage::OpenBlobStore(Env("STORAGE_URL", ""), Env("DATA_DIR", "."), signing_key);
  if (cmd == "put" && (argc == 4 || argc == 5)) {
    std::ifstream file(argv[3], std::ios::binary);
    if (!file) {
      std::cerr << "cannot read " << argv[3] << "\n";
      return 1;
    }
    const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    store->Put(argv[2], bytes, argc == 5 ? argv[4] : "application/octet-stream");
    return 0;
  }
  if (cmd == "get" && argc == 3) {
    auto bytes = store->Get(argv[2]);
    if (!bytes) return 3;
    std::fwrite(bytes->data(), 1, bytes->size(), stdout);
    return 0;
  }
  if (cmd == "delete" && argc == 3) {
    store->Delete(argv[2]);
    return 0;
  }
  if (cmd == "exists" && argc == 3) {
    std::cout << (store->Exists(argv[2]) ? "true" : "false") << "\n";
    return 0;
  }
  if (cmd == "sign" && argc == 5) {
    std::cout << store->SignedGetUrl(argv[2], std::stoll(argv[3]), std::stoi(argv[4])) << "\n";
    return 0;
  }
  return Usage();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "stepwise_blob_tool: " << e.what() << "\n";
    return 1;
  }
}
