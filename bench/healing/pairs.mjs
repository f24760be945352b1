// Redesign fixture pairs (e2e/fixtures/redesign): record each pair's task on v1 with guide-core
// in Debian's Chromium, then walk it on v2 and ask guide-core's `locate` for every step.
//
//   node bench/healing/pairs.mjs [--pair name[,name]] [--json rows.json] [--verbose] [--iife file]
//
// Needs packages/guide-core/dist (npm run build -w packages/guide-core), or another build of
// guide-core's IIFE given with --iife or GUIDE_CORE_IIFE (e.g. one built from an older commit,
// to compare). Per step it prints
// right / wrong / false heal / missed / not found (correctly), and a last line
//   pairs right=… wrong=… false_heals=… missed=… not_found_ok=… steps=…
// for scripts. See bench/healing/README.md, "Fixture pairs (redesign)".
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { pairs as allPairs } from '../../e2e/fixtures/redesign/pairs/index.mjs';
import { startRedesignApp } from '../../e2e/fixtures/redesign/server.mjs';
import { act, ensurePage, pickInPage, recordedInPage, resolvePath, reveal, sleep } from '../../e2e/fixtures/redesign/drive.mjs';

const DEFAULT_IIFE = fileURLToPath(new URL('../../packages/guide-core/dist/guide-core.iife.js', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LOCATE_OPTS = { timeoutMs: 1500, quietMs: 200 };
// Pass the previous step's element to locate (neighbours move together); off: --no-neighbours.
let NEIGHBOURS = true;
// The visual signal (recorded screenshot crop vs the page now), as the extension adds it: --visual.
let VISUAL = false;

function parseArgs(argv) {
  const out = { pairs: null, json: null, verbose: false, iife: process.env.GUIDE_CORE_IIFE || DEFAULT_IIFE };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--pair') out.pairs = argv[++i].split(',');
    else if (a === '--json') out.json = argv[++i];
    else if (a === '--verbose' || a === '-v') out.verbose = true;
    else if (a === '--iife') out.iife = argv[++i];
    else if (a === '--no-neighbours') NEIGHBOURS = false;
    else if (a === '--visual') VISUAL = true;
    else throw new Error(`unknown argument ${a} (use --pair name[,name] --json file --verbose --iife file)`);
  }
  return out;
}

// What the extension's recorder would have made of each event: its capture listeners on the
// window read `composedPath()[0]` and keep guide-core's `meaningfulTarget` of it. Reported to
// Node at event time (a click may navigate away right after).
const PROBE = `(() => {
  const note = (e) => {
    try {
      const raw = e.composedPath()[0];
      const el = raw instanceof Element ? window.StepwiseGuideCore.meaningfulTarget(e, raw) : null;
      const same = !!el && el === window.__swRecorded;
      const what = el ? el.localName + (el.id ? '#' + el.id : '') + ' "' + ((el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30)) + '"' : null;
      window.__swProbe && window.__swProbe({ type: e.type, same, what, raw: raw instanceof Element ? raw.localName : String(raw) });
    } catch { /* a probe never breaks the page */ }
  };
  window.addEventListener('click', note, true);
  window.addEventListener('change', note, true);
})();`;

/** In-page (the frame that holds the element): what the recorder stores for the step. */
function describeInPage([recordedSrc, el, action]) {
  const recordedOf = new Function(`return (${recordedSrc})`)();
  const rec = recordedOf([el, action]);
  window.__swRecorded = rec;
  const t = window.StepwiseGuideCore.describeElement(rec);
  return { target: t, tag: rec.localName, inClosedRoot: !!rec.getRootNode().host && !rec.getRootNode().host.shadowRoot };
}

/** In-page (the context frame): locate the recorded target and compare with the expected element. */
async function locateInPage([pickSrc, recordedSrc, target, rest, action, opts, prev, visual]) {
  const pick = new Function(`return (${pickSrc})`)();
  const recordedOf = new Function(`return (${recordedSrc})`)();
  const gc = window.StepwiseGuideCore;
  const want = rest ? recordedOf([pick(rest), action]) : null;
  // Closed shadow roots: the extension opens them with chrome.dom.openOrClosedShadowRoot; a page
  // script cannot, so the fixtures hand them to the runner (window.__closedRoots).
  opts = { ...opts, shadowRoot: (host) => host.shadowRoot ?? window.__closedRoots?.get(host) ?? null };
  // Where the previous step's element is now (the walkthrough knows it: the user just used it).
  if (prev) {
    const el = pick(prev.rest);
    if (el) opts = { ...opts, neighbour: { element: recordedOf([el, prev.action]), target: prev.target } };
  }
  const visible = (el) => {
    if (el.checkVisibility && !el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 || r.height > 0;
  };
  const brief = (el) => {
    if (!el) return null;
    const field = ['input', 'select', 'textarea'].includes(el.localName) && !['button', 'submit', 'reset'].includes(el.type);
    const text = field
      ? (el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : `[type=${el.type}]`)
      : `"${(el.innerText || el.value || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim().slice(0, 40)}"`;
    const root = el.getRootNode();
    const where = root.host ? ` in <${root.host.localName}>` : el.ownerDocument !== document ? ' in frame' : '';
    const region = el.closest('nav,header,footer,aside,main,form,table,dialog,[role=dialog],[role=menu],li,tr');
    const cls = region && typeof region.className === 'string' && region.className ? `.${region.className.split(/\s+/)[0]}` : '';
    // A row is named by its first words ("Globex Inc INV-1051"), the rest of a region by its label or class.
    const label = !region ? '' : /^(li|tr)$/.test(region.localName) ? ` "${region.innerText.replace(/\s+/g, ' ').trim().slice(0, 24)}"` : region.getAttribute('aria-label') ? ` ${region.getAttribute('aria-label')}` : cls;
    return `${el.localName}${el.id ? `#${el.id}` : ''} ${text}${region && region !== el ? ` (${region.localName}${label})` : ''}${where}`;
  };
  const wantVisible = want ? visible(want) : null;
  const t0 = performance.now();
  const res = await gc.locate(target, document, opts);
  let visualNote = null;
  if (visual && !res.element && res.reason === 'ambiguous' && res.candidates.length && !res.askFromSuggestion) {
    // As the extension does: crops of the leading candidates on screen against the recorded one.
    const bitmap = async (dataUrl) => createImageBitmap(await (await fetch(dataUrl)).blob());
    const [shot, now] = await Promise.all([bitmap(visual.recorded), bitmap(visual.current)]);
    const thumb = (img, r, vw) => {
      const k = img.width / vw;
      const c = new OffscreenCanvas(gc.VISUAL_SIZE, gc.VISUAL_SIZE).getContext('2d');
      c.drawImage(img, r.x * k, r.y * k, r.width * k, r.height * k, 0, 0, gc.VISUAL_SIZE, gc.VISUAL_SIZE);
      return gc.greyOf(c.getImageData(0, 0, gc.VISUAL_SIZE, gc.VISUAL_SIZE).data);
    };
    const want0 = thumb(shot, target.element_meta.bounding_box, visual.viewportWidth);
    const sims = res.candidates.map((c, k) => {
      if (k >= 5) return null;
      const r = c.element.getBoundingClientRect();
      if (r.width < 2 || r.height < 2 || r.bottom <= 0 || r.top >= innerHeight) return null;
      return gc.visualSimilarity(want0, thumb(now, { x: r.left, y: r.top, width: r.width, height: r.height }, visual.viewportWidth));
    });
    const v = gc.rerankWithVisual(target, res.candidates, sims);
    visualNote = v.ranked.slice(0, 3).map((c) => Math.round(c.score)).join('/');
    res.candidates = v.ranked;
    if (v.winner) {
      res.element = v.winner.element;
      res.method = 'healed';
      res.score = v.winner.score;
      res.ask = null;
    } else res.ask = v.ask;
  }
  const ms = Math.round(performance.now() - t0);
  const el = res.element;
  const viaLabel = !!el && !!want && el.localName === 'label' && el.control === want;
  const rank = want ? res.candidates.findIndex((c) => c.element === want) : -1;
  // Per-signal similarities (name, weight, similarity) of the expected element and of the best
  // other candidate: why a step was missed or went wrong.
  const explain = (e) => (e && gc.explainScore ? gc.explainScore(gc.describeElement(e, { metaOnly: true }), target) : null);
  const rival = res.candidates.find((c) => c.element !== want);
  const isWant = (e) => !!e && !!want && (e === want || (e.localName === 'label' && e.control === want));
  return {
    visualNote,
    ask: res.ask ? { same: isWant(res.ask.element), score: Math.round(res.ask.score), what: brief(res.ask.element), fromSuggestion: !!res.askFromSuggestion } : null,
    hiddenMatch: res.hidden ? { same: isWant(res.hidden.candidate.element), opener: res.hidden.opener ? `${res.hidden.opener.how} "${res.hidden.opener.name}"` : null } : null,
    disputed: (res.disputed ?? []).map((d) => `${d.reason}: ${d.selector}`),
    found: !!el,
    same: !!want && (el === want || viaLabel),
    viaLabel,
    wantExists: !!want,
    wantVisible,
    method: res.method,
    selector: res.selector,
    score: Math.round(res.score),
    reason: res.reason ?? null,
    topIsWant: want && res.candidates.length ? res.candidates[0].element === want : false,
    rank,
    returned: brief(el),
    top: res.candidates.slice(0, 3).map((c) => ({ score: Math.round(c.score), what: brief(c.element), isWant: c.element === want })),
    explain_want: want && !(el === want && res.method === 'selector') ? explain(want) : null,
    explain_rival: rival && !(el === want && res.method === 'selector') ? explain(rival.element) : null,
    ms,
  };
}

/**
 * What the walkthrough does with a locate result, and whether that is right:
 *   right          the element, with no question;
 *   asked_right    no clear match: the user is asked "Is this …?" about the right element;
 *   revealed       the element is hidden: the walkthrough shows the opener that reveals it;
 *   wrong          another element, with no question (the spotlight on the wrong thing);
 *   false_heal     the element was removed, another one is used with no question;
 *   asked_wrong    the user is asked about another element (they answer "Not this");
 *   missed         nothing (the step says "Can't find this element");
 *   not_found_ok   the element was removed and nothing is used.
 */
function classify(r) {
  if (r.wantExists) {
    if (r.found) return r.same ? 'right' : 'wrong';
    if (r.ask) return r.ask.same ? 'asked_right' : 'asked_wrong';
    if (r.hiddenMatch) return r.hiddenMatch.same && r.hiddenMatch.opener ? 'revealed' : r.hiddenMatch.same ? 'missed' : 'asked_wrong';
    return 'missed';
  }
  if (r.found) return 'false_heal';
  return r.ask || r.hiddenMatch ? 'asked_wrong' : 'not_found_ok';
}

function summarizeRecorder(events, action) {
  const want = action === 'input' || action === 'select' ? 'change' : 'click';
  const mine = events.filter((e) => e.type === want);
  if (!mine.length) return `no ${want} event reached the window`;
  if (mine.some((e) => e.same)) return 'same';
  const other = mine.find((e) => e.what);
  return other ? `other: ${other.what}` : `nothing (${want} on <${mine[0].raw}>)`;
}

async function openPage({ browser, app, code }, version, probeEvents) {
  app.setVersion(version);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.exposeBinding('__swProbe', (_source, data) => probeEvents.push(data));
  // Every frame, cross-origin ones included, gets guide-core before the page's own scripts.
  await context.addInitScript({ content: `${code}\n;window.StepwiseGuideCore = StepwiseGuideCore;\n${PROBE}` });
  const page = await context.newPage();
  return { context, page };
}

/** Records v1: for each step, the StepTarget guide-core describes just before the action. */
async function recordV1(env, pair) {
  const { app } = env;
  const events = [];
  const { context, page } = await openPage(env, 1, events);
  const recorded = [];
  try {
    await page.goto(app.url + pair.steps[0].page, { waitUntil: 'load' });
    for (const step of pair.steps) {
      const navigated = await ensurePage(page, app.url, step);
      const r = await resolvePath(page, step.v1);
      if (!r) throw new Error(`${pair.name}: v1 path of "${step.name}" not found`);
      const d = await r.frame.evaluate(describeInPage, [recordedInPage.toString(), r.handle, step.action]);
      if (VISUAL) d.shot = `data:image/jpeg;base64,${(await page.screenshot({ type: 'jpeg', quality: 85 })).toString('base64')}`;
      events.length = 0;
      const how = await act(page, step, r.handle);
      await sleep(80);
      recorded.push({ ...d, recorder: summarizeRecorder(events, step.action), how, runnerNavigated: navigated });
    }
  } finally {
    await context.close();
  }
  return recorded;
}

/** Walks v2: locate every recorded step, then do the step on the expected element. */
async function walkV2(env, pair, recorded) {
  const { app } = env;
  const { context, page } = await openPage(env, 2, []);
  const rows = [];
  try {
    await page.goto(app.url + pair.steps[0].page, { waitUntil: 'load' });
    let acted = true;
    let prev = null;
    for (let i = 0; i < pair.steps.length; i++) {
      const step = pair.steps[i];
      const rec = recorded[i];
      await ensurePage(page, app.url, step, { waitMs: acted ? 4000 : 0 });
      let r = null;
      if (step.v2) {
        r = await resolvePath(page, step.v2);
        if (!r) throw new Error(`${pair.name}: v2 path of "${step.name}" not found`);
      }
      // Where a script of the page can reach the element: the top document, or for a
      // cross-origin frame that frame (a content script injected into it).
      const ctxFrame = r ? r.context.frame : page.mainFrame();
      const samePlace = prev && r && prev.frame === r.context.frame && prev.page === step.page;
      // Crops line up with a page screenshot only for elements of the top document.
      const visualArgs = VISUAL && rec.shot && ctxFrame === page.mainFrame() && !(rec.target.selectors.frame_path ?? []).length
        ? { recorded: rec.shot, current: `data:image/jpeg;base64,${(await page.screenshot({ type: 'jpeg', quality: 85 })).toString('base64')}`, viewportWidth: page.viewportSize().width }
        : null;
      const args = [pickInPage.toString(), recordedInPage.toString(), rec.target, r ? r.context.rest : null, step.action, LOCATE_OPTS, NEIGHBOURS && samePlace ? { rest: prev.rest, action: prev.action, target: prev.target } : null, visualArgs];
      const res = await ctxFrame.evaluate(locateInPage, args);
      const row = {
        pair: pair.name,
        class: pair.class,
        step: i + 1,
        name: step.name,
        action: step.action,
        expected: step.v2 ? 'present' : 'removed',
        outcome: classify(res),
        context: ctxFrame === page.mainFrame() ? 'top' : 'cross-origin frame',
        hidden: res.wantExists ? !res.wantVisible : null,
        ...res,
        recorded_frame_path: rec.target.selectors.frame_path ?? null,
        recorded_shadow_chain: rec.target.selectors.shadow_chain ?? null,
        recorded_primary: rec.target.selectors.primary,
        recorded_in_closed_root: rec.inClosedRoot,
        recorder: rec.recorder,
        v1_runner_navigated: rec.runnerNavigated,
        recorded_target: rec.target,
      };
      if (ctxFrame !== page.mainFrame()) {
        // What a top-frame-only walkthrough (today's extension) would get for the same target.
        const top = await page.mainFrame().evaluate(locateInPage, [pickInPage.toString(), recordedInPage.toString(), rec.target, null, step.action, LOCATE_OPTS]);
        row.top_frame_result = top.found ? `returned ${top.returned} (${top.method} ${top.score})` : `nothing (${top.reason})`;
      }
      if (step.v2 && step.reveal) {
        await reveal(page, step);
        const again = await ctxFrame.evaluate(locateInPage, args);
        row.after_reveal = classify(again);
        row.after_reveal_detail = { method: again.method, selector: again.selector, score: again.score, reason: again.reason, rank: again.rank, top: again.top };
      }
      if (step.v2) {
        row.how = await act(page, step, r.handle);
        await sleep(80);
      }
      prev = r ? { frame: r.context.frame, page: step.page, rest: r.context.rest, action: step.action, target: rec.target } : null;
      acted = !!step.v2;
      rows.push(row);
    }
  } finally {
    await context.close();
  }
  return rows;
}

const OUTCOMES = ['right', 'asked_right', 'revealed', 'wrong', 'false_heal', 'asked_wrong', 'missed', 'not_found_ok'];
const LABEL = { right: 'right', asked_right: 'asked, right', revealed: 'revealed', wrong: 'WRONG', false_heal: 'FALSE HEAL', asked_wrong: 'asked, other', missed: 'missed', not_found_ok: 'not found (ok)' };

function detailOf(r) {
  const parts = [];
  if (r.outcome === 'right') parts.push(r.method === 'selector' ? `selector ${r.selector}` : `healed ${r.score}`);
  if (r.viaLabel) parts.push('returned its label');
  if (r.outcome === 'wrong' || r.outcome === 'false_heal') parts.push(`returned ${r.returned} (${r.method}${r.method === 'selector' ? ` ${r.selector}` : ` ${r.score}`})`);
  if (r.outcome === 'missed') {
    parts.push(r.reason);
    if (r.hidden) parts.push('target hidden');
    parts.push(r.rank === -1 ? 'target not among candidates' : r.topIsWant ? `target ranked 1st (${r.top[0].score}${r.top[1] ? ` vs ${r.top[1].score}` : ''})` : `target ranked ${r.rank + 1}`);
    if (r.top.length && !r.topIsWant) parts.push(`top: ${r.top[0].what} ${r.top[0].score}`);
  }
  if (r.outcome === 'not_found_ok' && r.top.length) parts.push(`best candidate ${r.top[0].what} ${r.top[0].score}`);
  if (r.visualNote) parts.push(`with the visual signal ${r.visualNote}`);
  if (r.ask) parts.push(`asked about ${r.ask.what} ${r.ask.score}${r.ask.fromSuggestion ? ' (a colleague\'s variant)' : ''}`);
  if (r.hiddenMatch) parts.push(`hidden; opener: ${r.hiddenMatch.opener ?? 'none found'}`);
  if (r.disputed?.length) parts.push(`disputed selector hits: ${r.disputed.join(', ')}`);
  if (r.after_reveal) {
    const a = r.after_reveal_detail;
    parts.push(`after reveal: ${LABEL[r.after_reveal]}${r.after_reveal === 'missed' ? ` (${a.reason}, target ${a.rank === -1 ? 'not among candidates' : `ranked ${a.rank + 1}: ${a.top[a.rank]?.score ?? '?'} vs ${a.top.find((c) => !c.isWant)?.score ?? '-'}`})` : ''}`);
  }
  if (r.v1_runner_navigated) parts.push('v1: the runner had to navigate (fixture flow broken?)');
  if (r.top_frame_result) parts.push(`top frame: ${r.top_frame_result}`);
  if (r.recorder !== 'same') parts.push(`recorder: ${r.recorder}`);
  return parts.filter(Boolean).join('; ');
}

function count(rows) {
  const c = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const r of rows) c[r.outcome]++;
  return c;
}

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(args.iife)) {
    console.error(`${args.iife} missing: run \`npm run build -w packages/guide-core\` first`);
    process.exit(2);
  }
  const chosen = args.pairs ? allPairs.filter((p) => args.pairs.includes(p.name)) : allPairs;
  if (!chosen.length) throw new Error(`no pair named ${args.pairs}`);
  const app = await startRedesignApp({ iife: args.iife });
  console.log(`guide-core: ${args.iife}`);
  // Playwright's launch() runs the browser with a fresh temporary profile of its own.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: false,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const env = { browser, app, code: fs.readFileSync(args.iife, 'utf8') };
  const rows = [];
  try {
    for (const pair of chosen) {
      const recorded = await recordV1(env, pair);
      const pr = await walkV2(env, pair, recorded);
      rows.push(...pr);
      const width = Math.max(...pr.map((r) => r.name.length));
      console.log(`\n${pair.name} (class ${pair.class}) — ${pair.description}`);
      for (const r of pr) console.log(`  ${pad(r.step, 2)} ${pad(r.name, width)}  ${pad(LABEL[r.outcome], 14)} ${detailOf(r)}`);
      if (args.verbose) {
        const sig = (x) => (x ? `${Math.round(x.score)}: ${x.signals.map(([n, w, v]) => `${n}(${w})=${Math.round(v * 100) / 100}`).join(' ')}` : '-');
        for (const r of pr) {
          if (r.outcome === 'right' && r.method === 'selector') continue;
          console.log(`     step ${r.step} candidates: ${r.top.map((c) => `${c.score}${c.isWant ? '*' : ''} ${c.what}`).join(' | ')}`);
          console.log(`       expected ${sig(r.explain_want)}\n       rival    ${sig(r.explain_rival)}`);
        }
      }
    }
  } finally {
    await browser.close();
    await app.close();
  }

  console.log(`\n${pad('pair', 20)} ${pad('steps', 6)} ${pad('right', 6)} ${pad('asked', 6)} ${pad('reveal', 7)} ${pad('wrong', 6)} ${pad('false', 6)} ${pad('ask-x', 6)} ${pad('missed', 7)} not-found-ok`);
  for (const pair of chosen) {
    const pr = rows.filter((r) => r.pair === pair.name);
    const c = count(pr);
    console.log(`${pad(pair.name, 20)} ${pad(pr.length, 6)} ${pad(c.right, 6)} ${pad(c.asked_right, 6)} ${pad(c.revealed, 7)} ${pad(c.wrong, 6)} ${pad(c.false_heal, 6)} ${pad(c.asked_wrong, 6)} ${pad(c.missed, 7)} ${c.not_found_ok}`);
  }
  const t = count(rows);
  if (args.json) fs.writeFileSync(args.json, JSON.stringify(rows, null, 2));
  console.log(`pairs right=${t.right} asked_right=${t.asked_right} revealed=${t.revealed} wrong=${t.wrong} false_heals=${t.false_heal} asked_wrong=${t.asked_wrong} missed=${t.missed} not_found_ok=${t.not_found_ok} steps=${rows.length}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
