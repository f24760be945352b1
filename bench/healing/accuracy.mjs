#!/usr/bin/env node
// Healing accuracy on real sites: runs the benchmark's reference runner with guide-core's
// built scorer (packages/guide-core/dist/index.js exports rankCandidates), then adds what the
// runner does not print: confirm-in-place, the top-1 share among the targets that are not
// auto-accepted (the walkthrough shows its best candidate there and asks "Is this X?").
//   HEALING_DATA=<dir>  benchmark folder (default: ../shared/benchmarks/healing-dev beside the repo)
//   extra arguments are passed to run.mjs (e.g. --failures 20, --json out.json)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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
const extra = process.argv.slice(2);
const jsonAt = extra.indexOf('--json');
const tmp = jsonAt < 0 ? fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-accuracy-')) : null;
const rowsFile = jsonAt < 0 ? path.join(tmp, 'rows.json') : extra[jsonAt + 1];
const args = [runner, '--data', appsDir, '--scorer', scorer, ...extra, ...(jsonAt < 0 ? ['--json', rowsFile] : [])];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
if (r.status === 0 && rowsFile && fs.existsSync(rowsFile)) {
  const rows = JSON.parse(fs.readFileSync(rowsFile, 'utf8'));
  const asked = rows.filter((x) => !x.accepted);
  const confirmed = asked.filter((x) => x.top1).length;
  const share = asked.length ? ((100 * confirmed) / asked.length).toFixed(1) : '-';
  console.log(`confirm-in-place: top-1 among the ${asked.length} targets not auto-accepted ${share} % (${confirmed})`);
  console.log(`healing confirm_in_place_top1=${share} not_accepted=${asked.length}`);
}
if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
process.exit(r.status ?? 1);
