/**
 * DevTools Recorder / @puppeteer/replay selector list for a recorded target: alternatives in
 * order of robustness, each an array (a single selector, or a chain through shadow roots). The
 * server's export writes the same lists (packages/server/src/services/recorder_selectors.cpp): both
 * are tested on packages/server/src/services/testdata/recorder_selectors.json.
 */
import type { StepTarget } from './types.js';

export function recorderSelectors(target: StepTarget): string[][] {
  const s = target.selectors;
  const out: string[][] = [];
  const seen = new Set<string>();
  const push = (chain: string[] | null | undefined) => {
    if (!chain || !chain.length || chain.some((x) => !x)) return;
    const key = chain.join('\u0000');
    if (seen.has(key)) return;
    seen.add(key);
    out.push(chain);
  };
  if (s.shadow_chain && s.shadow_chain.length) {
    // Inside shadow roots only chains and pierce/ reach the element.
    push(s.shadow_chain);
    push(s.aria ? [s.aria] : null);
    push(s.pierce ? [s.pierce] : null);
    return out;
  }
  push(s.aria ? [s.aria] : null);
  // A primary that is an XPath ("//…", "(//…)[2]") needs the Recorder's prefix like the others.
  const primary = s.primary && (s.primary.startsWith('/') || s.primary.startsWith('(')) ? xpath(s.primary) : s.primary;
  push(primary && !primary.startsWith('aria/') ? [primary] : null);
  push(s.css ? [s.css] : null);
  push(s.xpath ? [xpath(s.xpath)] : null);
  push(s.xpath_alt ? [xpath(s.xpath_alt)] : null);
  push(s.pierce ? [s.pierce] : null);
  return out;
}

function xpath(x: string): string {
  return x.startsWith('xpath/') ? x : `xpath/${x}`;
}
