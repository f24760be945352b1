#!/usr/bin/env node
// Is the scorer's accuracy a property of its principles or of this split? Checks on the healing
// benchmark's development split, all in one process:
//   1. per site, the working tree's scorer against a git revision's (default HEAD): top-1,
//      accepted and wrong among accepted; a change that helps one site while hurting others
//      shows here;
//   2. perturbation: every weight of `W` in score.ts, and each principle's constant, multiplied
//      by 0.6 and by 1.5, one at a time; the band of top-1, accept and wrong-accept;
//   3. ablation: each principle below switched off in turn, with the sites it changes.
//   node bench/healing/robustness.mjs [--base <git-rev>] [--no-perturb] [--no-ablate]
//   HEALING_DATA=<dir> as for accuracy.mjs.
// Variants are bundled from source (packages/guide-core/src/score.ts and text.ts) with one
// piece of text replaced, so the library itself keeps no switches. When the code changes, a
// replacement that no longer matches stops the script: update PRINCIPLES.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/** Each principle: how to switch it off ([file, text, replacement]) and its tunable constants. */
const PRINCIPLES = {
  'leading words name a label': {
    off: [['text.ts', 'const LEADING_BONUS = 0.1;', 'const LEADING_BONUS = 0;'], ['text.ts', 'const TRAILING_PENALTY = 0.1;', 'const TRAILING_PENALTY = 0;']],
    constants: [['text.ts', 'LEADING_BONUS'], ['text.ts', 'TRAILING_PENALTY']],
  },
  'a generic element named as a control is one': {
    off: [['score.ts', 'GENERIC_KIND.has(kind) && namedClickable(m, attrs)', 'false']],
  },
  "a control's content stands for the control": {
    off: [['score.ts', 'this.inControl = this.kind', 'this.inControl = false && this.kind']],
  },
  'role words in names are not identity': {
    off: [['score.ts', "const ROLE_WORDS = new Set(['button', 'btn', 'icon', 'link', 'toggle', 'trigger']);", 'const ROLE_WORDS = new Set<string>();']],
  },
  'an icon-only control is named by its identifiers': {
    off: [['score.ts', 'const ID_WORDS_AS_TEXT = 0.7;', 'const ID_WORDS_AS_TEXT = 0;']],
    constants: [['score.ts', 'ID_WORDS_AS_TEXT']],
  },
  'a placeholder href is no destination': {
    off: [['score.ts', "const nowhere = value.endsWith('#') || /^javascript:/i.test(value);", 'const nowhere = false;']],
  },
  "another site's path is another destination": {
    off: [['score.ts', 'if (siteOf(a) !== siteOf(b)) return 0;', '']],
  },
  'a copy elsewhere is no rival': {
    off: [['score.ts', 'const COPY_FACTOR = 0.7;', 'const COPY_FACTOR = 1;']],
    constants: [['score.ts', 'COPY_CONTEXT_GAP'], ['score.ts', 'COPY_FACTOR']],
  },
  'a wrapper is no rival to the sole good match': {
    off: [['score.ts', '  collapseWrappers(sims, prepared);\n  soleCandidateBoost(sims);', '  soleCandidateBoost(sims);\n  collapseWrappers(sims, prepared);']],
    constants: [['score.ts', 'WRAPPER_FACTOR']],
  },
};

const repo = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const src = path.join(repo, 'packages', 'guide-core', 'src');
const data = path.resolve(process.env.HEALING_DATA || path.join(repo, '..', 'shared', 'benchmarks', 'healing-dev'));
const appsDir = fs.existsSync(path.join(data, 'apps')) ? path.join(data, 'apps') : data;

const args = { base: 'HEAD', perturb: true, ablate: true };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--base') args.base = process.argv[++i];
  else if (a === '--no-perturb') args.perturb = false;
  else if (a === '--no-ablate') args.ablate = false;
  else {
    console.error('usage: robustness.mjs [--base <git-rev>] [--no-perturb] [--no-ablate]');
    process.exit(2);
  }
}

// ---- the benchmark, with the reference runner's rules (Similo's parent/child xpath match;
// accept when best ≥ 80 and margin ≥ 20, as isClearWinner) ----
function deepFreeze(v) {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze(v[k]);
  }
  return v;
}
const dropLast = (x) => (x.lastIndexOf('/') > 0 ? x.slice(0, x.lastIndexOf('/')) : x);
function sameElement(a, b) {
  a = a.toLowerCase();
  b = b.toLowerCase();
  if (a.length === b.length) return a === b;
  return a.length < b.length ? a === dropLast(b) : dropLast(a) === b;
}
const apps = fs
  .readdirSync(appsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => {
    const doc = JSON.parse(fs.readFileSync(path.join(appsDir, f), 'utf8'));
    return {
      app: doc.app,
      candidates: deepFreeze(doc.candidates.map((c) => c.candidate)),
      xpaths: doc.candidates.map((c) => c.xpath),
      targets: doc.targets.map((t) => ({ target: deepFreeze(t.target), truth: t.new_xpath })),
    };
  });

const KEYS = ['n', 'top1', 'top5', 'accepted', 'wrong', 'confirm'];
function evaluate(mod) {
  const sites = [];
  for (const a of apps) {
    const s = { app: a.app, n: 0, top1: 0, top5: 0, accepted: 0, wrong: 0, confirm: 0 };
    for (const t of a.targets) {
      const ranked = mod.rankCandidates(t.target, a.candidates);
      let rank = -1;
      for (let r = 0; r < Math.min(5, ranked.length); r++) {
        if (sameElement(a.xpaths[ranked[r].index], t.truth)) {
          rank = r;
          break;
        }
      }
      const accepted = mod.isClearWinner(ranked);
      s.n++;
      if (rank === 0) s.top1++;
      if (rank >= 0) s.top5++;
      if (accepted) {
        s.accepted++;
        if (rank !== 0) s.wrong++;
      } else if (rank === 0) s.confirm++; // shown in place and confirmed by the user
    }
    sites.push(s);
  }
  const total = { app: 'TOTAL', n: 0, top1: 0, top5: 0, accepted: 0, wrong: 0, confirm: 0 };
  for (const s of sites) for (const k of KEYS) total[k] += s[k];
  return { sites, total };
}

// ---- variants of the scorer, bundled from source ----
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-robustness-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
let built = 0;
async function bundle(files) {
  const dir = path.join(tmp, String(built++));
  fs.mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const outfile = path.join(dir, 'score.mjs');
  await build({ entryPoints: [path.join(dir, 'score.ts')], bundle: true, format: 'esm', platform: 'neutral', outfile, logLevel: 'error' });
  return import(pathToFileURL(outfile).href);
}
const FILES = ['score.ts', 'text.ts', 'types.ts'];
const tree = Object.fromEntries(FILES.map((f) => [f, fs.readFileSync(path.join(src, f), 'utf8')]));
const revision = (rev) =>
  Object.fromEntries(
    FILES.map((f) => [f, execFileSync('git', ['show', `${rev}:packages/guide-core/src/${f}`], { cwd: repo, encoding: 'utf8' })]),
  );

function replaced(files, edits) {
  const out = { ...files };
  for (const [file, from, to] of edits) {
    if (!out[file].includes(from)) throw new Error(`${file}: no longer contains ${JSON.stringify(from)} (update PRINCIPLES)`);
    out[file] = out[file].replace(from, to);
  }
  return out;
}

/** `[file, name, value, start, end]` for every weight of `W` in score.ts. */
function weights(source) {
  const block = /\nconst W = \{\n([\s\S]*?)\n\};/.exec(source);
  if (!block) throw new Error('score.ts: no `const W = { … };` block');
  const start = block.index + block[0].indexOf('{') + 2;
  return [...block[1].matchAll(/^\s*(\w+): ([\d.]+),/gm)].map((m) => {
    const at = start + m.index + m[0].indexOf(m[2]);
    return ['score.ts', m[1], Number(m[2]), at, at + m[2].length];
  });
}
/** The same for a `const NAME = <number>;`. */
function constant(files, file, name) {
  const m = new RegExp(`\\nconst ${name} = ([\\d.]+);`).exec(files[file]);
  if (!m) throw new Error(`${file}: no constant ${name}`);
  const at = m.index + m[0].indexOf(m[1]);
  return [file, name, Number(m[1]), at, at + m[1].length];
}
const scaled = (files, [file, , value, s, e], factor) => ({
  ...files,
  [file]: files[file].slice(0, s) + String(+(value * factor).toFixed(4)) + files[file].slice(e),
});

// ---- report ----
const pct = (a, b) => (b ? (100 * a) / b : 0);
const f1 = (x) => x.toFixed(1);
const summary = (t) =>
  `top-1 ${f1(pct(t.top1, t.n))} %, top-5 ${f1(pct(t.top5, t.n))} %, accept ${f1(pct(t.accepted, t.n))} %, ` +
  `wrong-accept ${f1(pct(t.wrong, t.accepted))} % (${t.wrong} of ${t.accepted}), ` +
  `confirm-in-place top-1 ${f1(pct(t.confirm, t.n - t.accepted))} % (${t.confirm} of ${t.n - t.accepted})`;

/** Sites where `after` differs from `before`: top-1 and accepted, signed. */
function siteChanges(before, after) {
  const out = [];
  before.sites.forEach((b, i) => {
    const a = after.sites[i];
    const d = [];
    if (a.top1 !== b.top1) d.push(`top-1 ${a.top1 > b.top1 ? '+' : ''}${a.top1 - b.top1}`);
    if (a.accepted !== b.accepted) d.push(`accepted ${a.accepted > b.accepted ? '+' : ''}${a.accepted - b.accepted}`);
    if (a.wrong !== b.wrong) d.push(`wrong ${a.wrong > b.wrong ? '+' : ''}${a.wrong - b.wrong}`);
    if (d.length) out.push(`${a.app} ${d.join(' ')}`);
  });
  return out.join('; ') || 'no site';
}

const b = evaluate(await bundle(revision(args.base)));
const c = evaluate(await bundle(tree));

console.log(`per site, ${args.base} -> working tree`);
console.log(`${'site'.padEnd(13)} ${'n'.padStart(3)}  ${'top-1'.padStart(9)}  ${'accepted'.padStart(9)}  ${'wrong'.padStart(7)}`);
for (let i = 0; i < b.sites.length; i++) {
  const x = b.sites[i];
  const y = c.sites[i];
  console.log(
    `${x.app.padEnd(13)} ${String(x.n).padStart(3)}  ${`${x.top1} -> ${y.top1}`.padStart(9)}  ` +
      `${`${x.accepted} -> ${y.accepted}`.padStart(9)}  ${`${x.wrong} -> ${y.wrong}`.padStart(7)}`,
  );
}
console.log(`changed: ${siteChanges(b, c)}`);
console.log(`${args.base}: ${summary(b.total)}`);
console.log(`working tree: ${summary(c.total)}`);
const macro = (r) => f1(r.sites.reduce((s, x) => s + pct(x.top1, x.n), 0) / r.sites.length);
console.log(`macro top-1 (mean over sites): ${macro(b)} % -> ${macro(c)} %`);

if (args.perturb) {
  console.log('\nperturbation, one at a time (top-1 / accept / wrong-accept %):');
  const knobs = [...weights(tree['score.ts'])];
  for (const p of Object.values(PRINCIPLES)) for (const [file, name] of p.constants || []) knobs.push(constant(tree, file, name));
  const band = { top1: [Infinity, -Infinity], accept: [Infinity, -Infinity], wrong: [Infinity, -Infinity] };
  const widen = (k, v) => {
    band[k][0] = Math.min(band[k][0], v);
    band[k][1] = Math.max(band[k][1], v);
  };
  for (const knob of knobs) {
    const cells = [];
    for (const factor of [0.6, 1.5]) {
      const t = evaluate(await bundle(scaled(tree, knob, factor))).total;
      widen('top1', pct(t.top1, t.n));
      widen('accept', pct(t.accepted, t.n));
      widen('wrong', pct(t.wrong, t.accepted));
      cells.push(`×${factor}: ${f1(pct(t.top1, t.n))} / ${f1(pct(t.accepted, t.n))} / ${f1(pct(t.wrong, t.accepted))}`);
    }
    console.log(`  ${knob[1].padEnd(17)} ${cells.join('   ')}`);
  }
  const range = ([lo, hi]) => `${f1(lo)}–${f1(hi)} %`;
  console.log(`band: top-1 ${range(band.top1)}, accept ${range(band.accept)}, wrong-accept ${range(band.wrong)}`);
}

if (args.ablate) {
  console.log('\nablation, one principle off at a time (what it adds, per site):');
  for (const [name, p] of Object.entries(PRINCIPLES)) {
    const r = evaluate(await bundle(replaced(tree, p.off)));
    console.log(`  ${name}: without it ${summary(r.total)}`);
    console.log(`    it changes: ${siteChanges(r, c)}`);
  }
}
