// Functions that run inside the checked page (Playwright serializes each one by its source): they
// reach guide-core through the global its IIFE defines (browser.ts injects it into every frame, as
// the extension injects its content script) and may use nothing else from this module.
import type * as GuideCore from '@stepwise/guide-core';
import type { ClickFacts } from './rules.js';
import type { HealCandidateWire } from './protocol.js';
import type { Variant } from './variants.js';

declare global {
  interface Window {
    StepwiseGuideCore: typeof GuideCore;
  }
}

export interface LocateArgs {
  target: { selectors: Variant['selectors']; element_meta: Variant['element_meta'] };
  variants: Variant[];
  rejected: string[];
  timeoutMs: number;
  quietMs: number;
  /** The previous step's element on this page and its recorded target (neighbours move together). */
  neighbour: { element: Element; target: LocateArgs['target'] } | null;
}

/** What node reads of a locate (plain JSON); the elements stay in the page behind a handle. */
export interface LocateSummary {
  ready: boolean;
  method: 'selector' | 'healed' | null;
  selector: string | null;
  score: number;
  reason: 'not_found' | 'ambiguous' | 'hidden' | null;
  candidates: HealCandidateWire[];
  facts: { contradicts: boolean; mayUse: boolean; connected: boolean }[];
  /** Index into candidates of the one locate would ask about, or null. */
  ask: number | null;
  hidden: { opener: string | null } | null;
  disputed: number;
  pageStateHash: string | null;
  pageUrl: string;
}

export interface LocateHandle {
  summary: LocateSummary;
  found: Element | null;
  candidates: Element[];
  opener: Element | null;
}

export async function pageLocate(args: LocateArgs): Promise<LocateHandle> {
  const gc = window.StepwiseGuideCore;
  if (!gc) {
    const summary: LocateSummary = { ready: false, method: null, selector: null, score: 0, reason: 'not_found', candidates: [], facts: [], ask: null, hidden: null, disputed: 0, pageStateHash: null, pageUrl: location.href };
    return { summary, found: null, candidates: [], opener: null };
  }
  type Target = GuideCore.StepTarget;
  const target = args.target as unknown as Target;
  const res = await gc.locate(target, document, {
    timeoutMs: args.timeoutMs,
    quietMs: args.quietMs,
    variants: args.variants as unknown as GuideCore.LocateVariant[],
    rejected: args.rejected,
    neighbour: args.neighbour && args.neighbour.element.isConnected ? { element: args.neighbour.element, target: args.neighbour.target as unknown as Target } : null,
  });
  const candidates = res.candidates.slice(0, 10);
  const wire = candidates.map((c) => ({
    selector: c.selector.slice(0, 2000),
    selectors: c.target.selectors,
    element_meta: c.target.element_meta,
    deterministic_score: Math.max(0, Math.min(100, c.score)),
  }));
  const facts = candidates.map((c) => ({ contradicts: !!gc.contradicts(c.target, target), mayUse: gc.mayUseWithoutAsking(c.target, target), connected: c.element.isConnected }));
  const askAt = res.ask ? candidates.findIndex((c) => c.element === res.ask!.element) : -1;
  const summary: LocateSummary = {
    ready: true,
    method: res.method,
    selector: res.selector,
    score: res.score,
    reason: res.reason ?? null,
    candidates: wire as unknown as HealCandidateWire[],
    facts,
    ask: askAt >= 0 ? askAt : null,
    hidden: res.hidden ? { opener: res.hidden.opener ? res.hidden.opener.name || res.hidden.opener.how : null } : null,
    disputed: res.disputed?.length ?? 0,
    pageStateHash: gc.pageStateHash(document),
    pageUrl: location.href,
  };
  return { summary, found: res.element, candidates: candidates.map((c) => c.element), opener: res.hidden?.opener?.element ?? null };
}

/** The page as the session check sees it: its address, a visible password field, its state hash. */
export function pageFacts(): { url: string; passwordVisible: boolean; pageStateHash: string | null } {
  const gc = window.StepwiseGuideCore;
  const visible = (el: Element) => (gc ? gc.isVisible(el) : (el as HTMLElement).offsetParent !== null);
  const passwordVisible = Array.from(document.querySelectorAll('input[type=password]')).some((el) => visible(el));
  return { url: location.href, passwordVisible, pageStateHash: gc ? gc.pageStateHash(document) : null };
}

/** What a click on `el` would do, for rules.isNonMutating. */
export function clickFacts(el: Element): ClickFacts {
  const role = (el.getAttribute('role') || '').toLowerCase() || (el.localName === 'a' && el.hasAttribute('href') ? 'link' : null);
  const link = el.closest('a[href], area[href]') as HTMLAnchorElement | null;
  const control = el.closest('button, [role=button], [role=menuitem], [role=tab], a, summary') ?? el;
  const attr = (name: string) => el.getAttribute(name) ?? control.getAttribute(name);
  const popup = attr('aria-haspopup');
  const type = (el.getAttribute('type') || '').toLowerCase();
  const inForm = !!(el as HTMLButtonElement).form;
  const submits = (el.localName === 'button' && inForm && (type === '' || type === 'submit')) || (el.localName === 'input' && inForm && (type === 'submit' || type === 'image'));
  const target = link?.getAttribute('target');
  return {
    tag: el.localName,
    role: role || (control !== el ? (control.getAttribute('role') || '').toLowerCase() || null : null),
    linkHref: link ? link.href : null,
    linkDownloads: !!link && (link.hasAttribute('download') || (!!target && target !== '_self' && target !== '_top' && target !== '_parent')),
    pageOrigin: location.origin,
    hasPopup: popup !== null && popup !== 'false',
    expanded: attr('aria-expanded') !== null,
    inSummary: !!el.closest('summary'),
    submits,
  };
}

/** How a replayed value goes into the element. */
export function fieldKind(el: Element): { kind: 'select' | 'check' | 'text' | 'form' | 'other'; checked: boolean } {
  const type = (el.getAttribute('type') || '').toLowerCase();
  if (el.localName === 'select') return { kind: 'select', checked: false };
  if (el.localName === 'form') return { kind: 'form', checked: false };
  if (el.localName === 'input' && (type === 'checkbox' || type === 'radio')) return { kind: 'check', checked: (el as HTMLInputElement).checked };
  if (el.localName === 'textarea' || (el as HTMLElement).isContentEditable) return { kind: 'text', checked: false };
  if (el.localName === 'input' && !['file', 'hidden', 'button', 'submit', 'reset', 'image'].includes(type)) return { kind: 'text', checked: false };
  return { kind: 'other', checked: false };
}

/** The option a recorded select value names (by text, then value, then text in any case): its value. */
export function optionValue(el: Element, value: string): string | null {
  const options = Array.from((el as HTMLSelectElement).options ?? []);
  const want = value.trim();
  const o =
    options.find((x) => (x.textContent ?? '').trim() === want) ??
    options.find((x) => x.value === value) ??
    options.find((x) => (x.textContent ?? '').trim().toLowerCase() === want.toLowerCase());
  return o ? o.value : null;
}

/** Submits the form the way its submit button would (validation and submit event included). */
export function submitForm(el: Element): void {
  const form = el as HTMLFormElement;
  if (typeof form.requestSubmit === 'function') form.requestSubmit();
  else form.submit();
}
