#!/usr/bin/env node
// Healing accuracy on real sites: runs the benchmark's reference runner with guide-core's
// built scorer (packages/guide-core/dist/index.js exports rankCandidates).
//   HEALING_DATA=<dir>  benchmark folder (default: ../shared/benchmarks/healing-dev beside the repo)
//   extra arguments are passed to run.mjs (e.g. --failures 20, --json out.json)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const data = path.resolve(process.env.HEALING_DATA || path.join(repo, '..', 'shared', 'benchmarks', 'healing-dev'));
const scorer = path.join(repo, 'packages', 'guide-core', 'dist', 'index.js');
const runner = path.join(data, 'run.mjs');
if (!fs.existsSync(scorer)) {
  console.error(`missing ${scorer}: run \`npm run build -w packages/guide-core\` first`);
  process.exit(2);
}
if (!fs.existsSync(runner)) {
  console.error(`benchmark not found at ${data} (set HEALING_DATA)`);
  process.exit(2);
}
const appsDir = fs.existsSync(path.join(data, 'apps')) ? path.join(data, 'apps') : data;
const r = spawnSync(process.execPath, [runner, '--data', appsDir, '--scorer', scorer, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
