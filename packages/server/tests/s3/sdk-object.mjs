#!/usr/bin/env node
// Reads or writes one object with the AWS SDK's S3 client, to check that what our blob store
// writes is a plain S3 object to every other client (tests/test_s3.py).
//   node sdk-object.mjs get ENDPOINT BUCKET KEY        object bytes on stdout
//   node sdk-object.mjs put ENDPOINT BUCKET KEY FILE   stores FILE's bytes
// Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; path-style addressing.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { S3Client, GetObjectCommand, PutObjectCommand } = require("@aws-sdk/client-s3");

const [op, endpoint, bucket, key, file] = process.argv.slice(2);
const client = new S3Client({
  endpoint,
  region: process.env.AWS_REGION ?? "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
});

if (op === "get") {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  process.stdout.write(Buffer.from(await out.Body.transformToByteArray()));
} else if (op === "put") {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
} else {
  console.error("usage: sdk-object.mjs get|put ENDPOINT BUCKET KEY [FILE]");
  process.exit(2);
}
