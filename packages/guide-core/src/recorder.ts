/**
 * DevTools Recorder / @puppeteer/replay selector list for a recorded target: alternatives in
 * order of robustness, each an array (a single selector, or a chain through shadow roots).
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
  push(s.primary && !s.primary.startsWith('aria/') ? [s.primary] : null);
  push(s.css ? [s.css] : null);
  push(s.xpath ? [`xpath/${s.xpath}`] : null);
  push(s.xpath_alt ? [`xpath/${s.xpath_alt}`] : null);
  push(s.pierce ? [s.pierce] : null);
  return out;
}
