#!/usr/bin/env node
// The AWS SDK for JavaScript's own SigV4 signer, as a reference for ours (tests/test_s3.py).
// Reads a JSON list of requests on stdin and prints, for each, what the SDK makes of it:
//   authorization   SignatureV4.sign (@smithy/signature-v4, configured as the S3 client does:
//                   service "s3", no path normalisation, x-amz-content-sha256 added)
//   presigned_url   S3RequestPresigner.presign (@aws-sdk/s3-request-presigner) written out with
//                   the SDK's formatUrl
// Request fields (the same that `stepwise_blob_tool sigv4` reads):
//   name, method, host ("host[:port]"), path (raw, not encoded), query [[name, value]…],
//   headers [[name, value]…] (host is added), payload_sha256, access_key_id, secret_access_key,
//   session_token (optional), region, service (default "s3"), now (Unix seconds), expires (s).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { SignatureV4 } = require("@smithy/signature-v4");
const { HttpRequest } = require("@smithy/protocol-http");
const { Sha256 } = require("@aws-crypto/sha256-js");
const { S3RequestPresigner } = require("@aws-sdk/s3-request-presigner");
const { formatUrl } = require("@aws-sdk/core/util");
const { escapeUriPath } = require("@smithy/core/protocols");

function toQuery(pairs) {
  const query = {};
  for (const [name, value] of pairs ?? []) {
    if (!(name in query)) query[name] = value;
    else if (Array.isArray(query[name])) query[name].push(value);
    else query[name] = [query[name], value];
  }
  return query;
}

function buildRequest(r, headers) {
  const [hostname, port] = r.host.split(":");
  return new HttpRequest({
    method: r.method,
    protocol: "https:",
    hostname,
    port: port ? Number(port) : undefined,
    path: escapeUriPath(r.path),
    query: toQuery(r.query),
    headers,
  });
}

async function signOne(r) {
  const credentials = {
    accessKeyId: r.access_key_id,
    secretAccessKey: r.secret_access_key,
    ...(r.session_token ? { sessionToken: r.session_token } : {}),
  };
  const service = r.service ?? "s3";
  const signingDate = new Date(r.now * 1000);

  const headers = { host: r.host, "x-amz-content-sha256": r.payload_sha256 };
  for (const [name, value] of r.headers ?? []) headers[name] = value;
  const signer = new SignatureV4({ credentials, region: r.region, service, sha256: Sha256, uriEscapePath: false });
  const signed = await signer.sign(buildRequest(r, headers), { signingDate });

  const presigner = new S3RequestPresigner({ credentials, region: r.region, service, sha256: Sha256 });
  const presigned = await presigner.presign(buildRequest(r, { host: r.host }), {
    signingDate,
    expiresIn: r.expires ?? 900,
  });
  return { name: r.name ?? "", authorization: signed.headers.authorization, presigned_url: formatUrl(presigned) };
}

const requests = JSON.parse(readFileSync(0, "utf8"));
const out = [];
for (const r of requests) out.push(await signOne(r));
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
