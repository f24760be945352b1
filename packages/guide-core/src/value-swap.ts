/**
 * A recorded step whose target shows a value typed earlier (the contract's `value_from`: the link
 * to the page the recorder just created, titled with what they typed) names the recorder's value
 * in its facts: the link's text, its accessible name, its href, the selectors built from them.
 * A colleague's page shows *their* value there instead. `withValue` rewrites the recorded facts
 * before they are compared with the page: the recorded value becomes the colleague's, in the
 * forms it takes in text ("Q3 launch plan"), in addresses (`q3-launch-plan`, `Q3%20launch%20plan`,
 * `Q3+launch+plan`) and in identifiers (`page-q3_launch_plan`). When the colleague's value is
 * unknown (they skipped the step that typed it), what names the value is dropped: the literal is
 * cut out of texts, and the links, identifiers and selectors that contain it are removed, so that
 * locating relies on what is left (the kind of element, where it sits, its neighbours).
 *
 * Pure: no DOM, no state; the input is not changed.
 */
import type { ElementMeta, Lookalike, Selectors, StepTarget } from './types.js';

/** Shorter values ("ok", "a") show up by chance (the recorder's `MIN_LINKED_VALUE` too). */
const MIN_VALUE = 3;

const SYNTAX = /[.*+?^${}()|[\]\\/]/g;
const escapeRe = (s: string) => s.replace(SYNTAX, '\\$&');
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const COMBINING = /[\u0300-\u036f]/g;

/** An address slug: lower case, no diacritics, each run of other characters one `sep`. */
export function slugOf(value: string, sep = '-'): string {
  return value.normalize('NFKD').replace(COMBINING, '').toLowerCase().replace(NOT_WORD, sep).split(sep).filter(Boolean).join(sep);
}

/** The ways a value is written in pages and addresses, each with how to write another value so. */
const FORMS: ((v: string) => string)[] = [
  (v) => v,
  (v) => encodeURIComponent(v),
  (v) => encodeURIComponent(v).replace(/%20/g, '+'),
  (v) => slugOf(v, '-'),
  (v) => slugOf(v, '_'),
];

/** One recorded value, ready to be found (whole words, any case) and replaced. */
export interface ValueSwap {
  /** Finds every form of the recorded value; group k + 1 is form k. */
  readonly pattern: RegExp;
  readonly forms: readonly ((v: string) => string)[];
  /** The colleague's value (trimmed), or null when unknown. */
  readonly colleague: string | null;
}

/**
 * The swap of `recorded` for `colleague` (null: unknown), or null when the recorded value is too
 * short to be told from other text.
 */
export function valueSwap(recorded: string | null | undefined, colleague: string | null | undefined): ValueSwap | null {
  const value = (recorded ?? '').trim();
  if (value.length < MIN_VALUE) return null;
  const alternatives: string[] = [];
  const forms: ((v: string) => string)[] = [];
  const seen = new Set<string>();
  for (const form of FORMS) {
    const written = form(value);
    if (written.length < MIN_VALUE || seen.has(written.toLowerCase())) continue;
    seen.add(written.toLowerCase());
    // Typed text is found across any run of spaces ("Q3  launch" is "Q3 launch").
    alternatives.push(`(${written.split(/\s+/).map(escapeRe).join('\\s+')})`);
    forms.push(form);
  }
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  const mine = (colleague ?? '').trim();
  return { pattern, forms, colleague: mine ? mine : null };
}

/** Whether `text` shows the recorded value in any of its forms. */
export function showsValue(text: string | null | undefined, swap: ValueSwap): boolean {
  if (!text) return false;
  swap.pattern.lastIndex = 0;
  return swap.pattern.test(text);
}

/** `text` with each form of the recorded value written in the same form of the colleague's. */
function replaced(text: string, swap: ValueSwap, colleague: string): string {
  return text.replace(swap.pattern, (...groups: unknown[]) => {
    const k = groups.slice(1, 1 + swap.forms.length).findIndex((g) => g !== undefined);
    return swap.forms[Math.max(0, k)]!(colleague);
  });
}

/**
 * A text as the colleague's page shows it: the value replaced; unknown, cut out (null when
 * nothing is left). Unchanged when it does not show the value.
 */
export function textWithValue(text: string | null | undefined, swap: ValueSwap): string | null {
  if (text === null || text === undefined) return null;
  if (!showsValue(text, swap)) return text;
  if (swap.colleague !== null) return replaced(text, swap, swap.colleague);
  const cut = text.replace(swap.pattern, ' ').replace(/\s+/g, ' ').trim();
  return cut || null;
}

/**
 * An address, link or identifier as the colleague's page has it: the value replaced; unknown,
 * null (a part of an address or a selector says nothing true). Unchanged when it does not show it.
 */
export function exactWithValue(value: string | null | undefined, swap: ValueSwap): string | null {
  if (value === null || value === undefined) return null;
  if (!showsValue(value, swap)) return value;
  return swap.colleague !== null ? replaced(value, swap, swap.colleague) : null;
}

const TEXTS = ['inner_text', 'accessible_name', 'aria_label', 'title', 'alt', 'label_text', 'placeholder', 'nearby_text'] as const;
const EXACT = ['href', 'id', 'name'] as const;
const SELECTORS = ['primary', 'css', 'xpath', 'data_testid', 'aria', 'xpath_alt', 'pierce'] as const;

function recordOf(values: Record<string, string> | null | undefined, swap: ValueSwap): Record<string, string> | null | undefined {
  if (!values) return values;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    const w = exactWithValue(v, swap);
    if (w !== null) out[k] = w;
  }
  return out;
}

function contextOf(context: string[] | null | undefined, swap: ValueSwap): string[] | null | undefined {
  return context ? context.map((c) => textWithValue(c, swap) ?? '').filter(Boolean) : context;
}

/** The recorded element's facts as they read on the colleague's page (see the module comment). */
export function metaWithValue<M extends Partial<ElementMeta>>(meta: M, swap: ValueSwap): M {
  const out = { ...meta } as M & Record<string, unknown>;
  const m = meta as Record<string, unknown>;
  for (const k of TEXTS) if (typeof m[k] === 'string') out[k] = textWithValue(m[k] as string, swap);
  for (const k of EXACT) if (typeof m[k] === 'string') out[k] = exactWithValue(m[k] as string, swap);
  if (meta.test_ids) out.test_ids = recordOf(meta.test_ids, swap);
  if (meta.context) out.context = contextOf(meta.context, swap);
  if (meta.lookalikes) {
    out.lookalikes = meta.lookalikes.map((l: Lookalike) => ({ context: contextOf(l.context, swap) ?? null, nearby_text: textWithValue(l.nearby_text, swap) }));
  }
  return out;
}

/** The recorded selectors as they select on the colleague's page; unknown value: those naming it dropped. */
export function selectorsWithValue<S extends Partial<Selectors>>(selectors: S, swap: ValueSwap): S {
  const out = { ...selectors } as S & Record<string, unknown>;
  const s = selectors as Record<string, unknown>;
  for (const k of SELECTORS) if (typeof s[k] === 'string') out[k] = exactWithValue(s[k] as string, swap);
  if (selectors.stable_attrs) out.stable_attrs = recordOf(selectors.stable_attrs, swap) ?? null;
  const chain = selectors.shadow_chain;
  if (chain) {
    const rewritten = chain.map((c) => exactWithValue(c, swap));
    out.shadow_chain = rewritten.every((c): c is string => c !== null) ? rewritten : null;
  }
  return out;
}

/**
 * `target` with the recorded value written as the colleague's: `recorded` is what the recorder
 * typed (the earlier step's `input_value`), `colleague` what this colleague typed there (null or
 * empty when unknown). Unchanged when the recorded value is shorter than 3 characters.
 */
export function withValue<T extends StepTarget>(target: T, recorded: string | null | undefined, colleague: string | null | undefined): T {
  const swap = valueSwap(recorded, colleague);
  if (!swap) return target;
  return {
    ...target,
    selectors: target.selectors ? selectorsWithValue(target.selectors, swap) : target.selectors,
    element_meta: target.element_meta ? metaWithValue(target.element_meta, swap) : target.element_meta,
  };
}
