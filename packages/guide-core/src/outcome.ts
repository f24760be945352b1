/**
 * Expected outcome of a step: what the step caused while it was recorded (a URL change, an
 * element that appeared or disappeared, a value that stuck), so that a walkthrough can tell
 * "the task progressed" from "clicked and nothing happened".
 */
import { cssSelector, positionalCss, roleOf } from './selectors.js';
import { isVisible } from './dom-util.js';
import { isSensitiveField, maskSensitiveText, type PrivacyOptions } from './privacy.js';
import { urlShape } from './page-state.js';

export interface OutcomeElement {
  /** CSS selector in the element's root, ≤ 500 chars. */
  selector: string;
  role: string | null;
  /** Visible text, ≤ 100 chars. */
  text: string | null;
}

export interface ExpectedOutcome {
  /** The URL changed: `same_document` for pushState / hash routing, else a full load. */
  navigation: { url: string; url_shape: string; same_document: boolean } | null;
  /** Significant elements that appeared (≤ 5): dialogs, alerts, headings, forms, rows, … */
  appeared: OutcomeElement[];
  /** Significant elements that disappeared (≤ 5). */
  disappeared: OutcomeElement[];
  /** The value the step left in its field; `masked` instead of the value for sensitive fields. */
  value: { selector: string; value: string | null; masked: boolean } | null;
}

const SIGNIFICANT =
  'dialog,[role=dialog],[role=alertdialog],[role=alert],[role=status],[aria-live],h1,h2,h3,form,table,tr,li,section,article,[role=tabpanel],[role=menu],[role=listbox],[role=row]';
const MAX_ITEMS = 5;

/** Visible text of an outcome element as recorded: collapsed, masked, ≤ 100 chars. */
function outcomeText(el: Element): string | null {
  return maskSensitiveText((el.textContent || '').replace(/\s+/g, ' ').trim()).slice(0, 100) || null;
}

function describeOutcomeElement(el: Element, options: PrivacyOptions = {}): OutcomeElement {
  let selector = cssSelector(el) || positionalCss(el);
  // A cut selector would point elsewhere: fall back to the tag alone (still bounded, still true).
  if (selector.length > 500) selector = el.localName;
  // Text of what appeared is free text: card numbers and IBANs masked, deny-listed content withheld.
  let denied = false;
  for (const sel of options.denySelectors ?? []) {
    try {
      if (el.closest(sel) || el.querySelector(sel)) denied = true;
    } catch {
      /* invalid selector: ignored */
    }
  }
  const text = denied ? null : outcomeText(el);
  return { selector, role: roleOf(el), text };
}

function significantWithin(node: Node): Element[] {
  if (node.nodeType !== 1) return [];
  const el = node as Element;
  const out: Element[] = [];
  if (el.matches(SIGNIFICANT)) out.push(el);
  for (const child of Array.from(el.querySelectorAll(SIGNIFICANT))) {
    out.push(child);
    if (out.length > 20) break;
  }
  return out;
}

/**
 * A removed element can no longer be selected in the page: describe it under its former
 * parent (still attached), with its role and text to tell it from what may take its place.
 */
function describeRemoved(el: Element, parent: Node, options: PrivacyOptions): OutcomeElement {
  const own = describeOutcomeElement(el, options);
  if (parent.nodeType !== 1 || !(parent as Element).isConnected) return { ...own, selector: el.localName };
  const base = cssSelector(parent as Element) || positionalCss(parent as Element);
  const selector = `${base} ${el.localName}`;
  return { ...own, selector: selector.length <= 500 ? selector : el.localName };
}

export interface OutcomeRecorder {
  /** Stop observing and return what the step caused. */
  finish(target?: Element | null): ExpectedOutcome;
}

/**
 * Start observing just before a step is performed; call `finish()` once the page settled
 * (the recorder waits for the next step or ~1 s). Works within one document: a full page load
 * ends the document, so the caller records `{navigation}` from the new page's URL instead.
 */
export function observeOutcome(doc: Document, options: PrivacyOptions = {}): OutcomeRecorder {
  const startUrl = doc.location.href;
  const added = new Set<Element>();
  const removed: OutcomeElement[] = [];
  const handle = (records: MutationRecord[]) => {
    for (const r of records) {
      for (const n of Array.from(r.addedNodes)) for (const el of significantWithin(n)) added.add(el);
      for (const n of Array.from(r.removedNodes)) {
        for (const el of significantWithin(n)) {
          if (added.has(el)) added.delete(el);
          else if (removed.length < MAX_ITEMS) removed.push(describeRemoved(el, r.target, options));
        }
      }
      if (r.type === 'attributes' && r.target.nodeType === 1) {
        const el = r.target as Element;
        if (el.matches('dialog,[role=dialog],[role=alertdialog],[role=tabpanel],[role=menu]')) {
          if (isVisible(el)) added.add(el);
          else if (removed.length < MAX_ITEMS) removed.push(describeOutcomeElement(el, options));
        }
      }
    }
  };
  const observer = new MutationObserver(handle);
  observer.observe(doc, { childList: true, subtree: true, attributes: true, attributeFilter: ['open', 'hidden', 'style', 'class', 'aria-hidden'] });
  return {
    finish(target?: Element | null): ExpectedOutcome {
      // Changes made just before finish() are still queued: take them into account.
      handle(observer.takeRecords());
      observer.disconnect();
      const url = doc.location.href;
      const appeared = [...added].filter((el) => el.isConnected && isVisible(el)).slice(0, MAX_ITEMS).map((el) => describeOutcomeElement(el, options));
      let value: ExpectedOutcome['value'] = null;
      if (target && ['input', 'select', 'textarea'].includes(target.localName)) {
        const selector = cssSelector(target) || positionalCss(target);
        const masked = isSensitiveField(target, options);
        const type = (target.getAttribute('type') || '').toLowerCase();
        const raw = type === 'checkbox' || type === 'radio' ? String((target as HTMLInputElement).checked) : (target as HTMLInputElement).value;
        value = { selector, value: masked ? null : raw.slice(0, 500), masked };
      }
      return {
        navigation: url !== startUrl ? { url: url.slice(0, 2048), url_shape: urlShape(url).slice(0, 2048), same_document: true } : null,
        appeared,
        disappeared: removed.slice(0, MAX_ITEMS),
        value,
      };
    },
  };
}

export interface OutcomeCheck {
  /** True when at least one expected effect is observed (or nothing was expected). */
  progressed: boolean;
  expected: number;
  met: number;
  details: string[];
}

/** Does the page now show what the recorded step caused? */
export function checkOutcome(expected: ExpectedOutcome, doc: Document, root: ParentNode = doc): OutcomeCheck {
  const details: string[] = [];
  let total = 0;
  let met = 0;
  if (expected.navigation) {
    total++;
    const ok = urlShape(doc.location.href) === expected.navigation.url_shape;
    if (ok) met++;
    details.push(`navigation ${ok ? 'met' : 'not met'}`);
  }
  // An element that appeared may show other (dynamic) text on replay; one that disappeared is
  // only still there if the same text is, since its selector may now fit its successor.
  const present = (o: OutcomeElement, sameText: boolean) => {
    try {
      return Array.from(root.querySelectorAll(o.selector)).some((el) => isVisible(el) && (!sameText || o.text === null || outcomeText(el) === o.text));
    } catch {
      return false;
    }
  };
  for (const a of expected.appeared) {
    total++;
    const ok = present(a, false);
    if (ok) met++;
    details.push(`appeared ${a.selector} ${ok ? 'met' : 'not met'}`);
  }
  for (const d of expected.disappeared) {
    total++;
    const ok = !present(d, true);
    if (ok) met++;
    details.push(`disappeared ${d.selector} ${ok ? 'met' : 'not met'}`);
  }
  if (expected.value && !expected.value.masked && expected.value.value !== null) {
    total++;
    let ok = false;
    try {
      const el = root.querySelector(expected.value.selector) as HTMLInputElement | null;
      const type = (el?.getAttribute('type') || '').toLowerCase();
      ok = !!el && (type === 'checkbox' || type === 'radio' ? String(el.checked) : el.value) === expected.value.value;
    } catch {
      ok = false;
    }
    if (ok) met++;
    details.push(`value ${ok ? 'met' : 'not met'}`);
  }
  return { progressed: total === 0 || met > 0, expected: total, met, details };
}
