/**
 * What must never leave the page: values of password fields, card numbers, CVV, IBAN, national
 * ids, one-time codes, and of any field matched by a configurable deny-list of selectors.
 * Such values are replaced by a mask flag (`value_masked: true`), also inside captured HTML.
 */

export interface PrivacyOptions {
  /** CSS selectors whose elements (and descendants) are never captured. */
  denySelectors?: readonly string[];
}

export const MASK = '••••';

const SENSITIVE_AUTOCOMPLETE = /^(?:cc-|one-time-code$|current-password$|new-password$)/;
const SENSITIVE_HINT =
  /pass(?:word|wd|code)?\b|passwd|pwd|\bpin\b|card.?(?:num|no)|cc.?(?:num|no)|credit.?card|\bcvv|\bcvc|\bcsc\b|security.?code|card.?verif|\biban\b|\bbic\b|\bssn\b|social.?security|national.?(?:id|insurance)|\bnin[o]?\b|tax.?(?:id|number)|passport|\bsin\b|\bnif\b|\bnie\b|\bbsn\b|personnummer|\botp\b|\bone.?time|verification.?code/i;

/** Luhn check: true for plausible payment card numbers (13–19 digits). */
export function isCardNumber(value: string): boolean {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** IBAN shape with a valid mod-97 checksum. */
export function isIban(value: string): boolean {
  const s = value.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(s)) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const code = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of code) rem = (rem * 10 + Number(digit)) % 97;
  }
  return rem === 1;
}

/** A value that must not be stored whatever field it sits in. */
export function isSensitiveValue(value: string | null | undefined): boolean {
  if (!value) return false;
  return isCardNumber(value) || isIban(value);
}

// Card numbers and IBANs inside free text (HTML, inner text).
const CARD_IN_TEXT = /\b(?:\d[ -]?){12,18}\d\b/g;
const IBAN_IN_TEXT = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;

export function maskSensitiveText(text: string): string {
  return text
    .replace(CARD_IN_TEXT, (m) => (isCardNumber(m) ? MASK : m))
    .replace(IBAN_IN_TEXT, (m) => (isIban(m) ? MASK : m));
}

function hintsOf(el: Element): string {
  const parts = [el.getAttribute('name'), el.id, el.getAttribute('placeholder'), el.getAttribute('aria-label'), el.getAttribute('autocomplete')];
  const labels = (el as HTMLInputElement).labels;
  if (labels) for (const l of Array.from(labels)) parts.push(l.textContent);
  return parts.filter(Boolean).join(' ').slice(0, 500);
}

/** True when the value of this field must never be captured. */
export function isSensitiveField(el: Element, options: PrivacyOptions = {}): boolean {
  for (const sel of options.denySelectors ?? []) {
    try {
      if (el.closest(sel)) return true;
    } catch {
      /* invalid selector in the deny-list: ignore it */
    }
  }
  const tag = el.localName;
  if (tag === 'input') {
    const type = (el.getAttribute('type') || 'text').toLowerCase();
    if (type === 'password') return true;
    if (type === 'hidden') return true;
  }
  const ac = (el.getAttribute('autocomplete') || '').toLowerCase().split(/\s+/);
  if (ac.some((t) => SENSITIVE_AUTOCOMPLETE.test(t))) return true;
  if (tag === 'input' || tag === 'textarea' || tag === 'select' || el.hasAttribute('contenteditable')) {
    if (SENSITIVE_HINT.test(hintsOf(el))) return true;
    const value = (el as HTMLInputElement).value;
    if (typeof value === 'string' && isSensitiveValue(value)) return true;
  }
  return false;
}

/** The value of a field as it may be recorded, or a mask flag. */
export function captureValue(el: Element, options: PrivacyOptions = {}): { input_value: string | null; value_masked: boolean } {
  if (isSensitiveField(el, options)) return { input_value: null, value_masked: true };
  let value: string | null = null;
  if (el.localName === 'select') {
    const s = el as HTMLSelectElement;
    value = s.selectedOptions[0]?.textContent?.trim() ?? s.value;
  } else if ('value' in el && typeof (el as HTMLInputElement).value === 'string') {
    const type = (el.getAttribute('type') || '').toLowerCase();
    value = type === 'checkbox' || type === 'radio' ? String((el as HTMLInputElement).checked) : (el as HTMLInputElement).value;
  } else if ((el as HTMLElement).isContentEditable) {
    value = el.textContent ?? '';
  }
  if (value !== null && isSensitiveValue(value)) return { input_value: null, value_masked: true };
  return { input_value: value === null ? null : value.slice(0, 1000), value_masked: false };
}

/** One inert HTML document per page document, to hold the copies that `sanitizedHtml` edits. */
const inertDocs = new WeakMap<Document, Document>();

/**
 * A deep copy of `el` owned by an inert document. A copy made in the page's own document would
 * reset Chromium's caches of live collections there (`labels`, `getElementsByTagName`), and the
 * next lookups would walk the whole page again; an inert document also runs no custom-element
 * constructors. The copy keeps the fields' current values, as `cloneNode` does.
 */
function inertCopy(el: Element): Element {
  const doc = el.ownerDocument;
  if (doc.contentType !== 'text/html' || !doc.implementation?.createHTMLDocument) return el.cloneNode(true) as Element;
  let inert = inertDocs.get(doc);
  if (!inert) {
    inert = doc.implementation.createHTMLDocument('');
    inertDocs.set(doc, inert);
  }
  return inert.importNode(el, true);
}

/**
 * `outerHTML` of an element with every sensitive value removed: value attributes of sensitive
 * fields become `data-stepwise-masked`, card numbers and IBANs in text become a mask, and the
 * content of deny-listed elements is dropped. Bounded to `max` characters.
 */
export function sanitizedHtml(el: Element, options: PrivacyOptions = {}, max = 2000): string {
  const clone = inertCopy(el);
  // Walk original and clone in step so computed facts (labels, live values) come from the page.
  const originals = [el, ...Array.from(el.querySelectorAll('*'))];
  const copies = [clone, ...Array.from(clone.querySelectorAll('*'))];
  for (let i = 0; i < originals.length; i++) {
    const o = originals[i];
    const c = copies[i];
    if (!c) continue;
    if (['input', 'textarea', 'select', 'option'].includes(o.localName) || o.hasAttribute('contenteditable')) {
      const field = o.localName === 'option' ? o.closest('select') ?? o : o;
      if (isSensitiveField(field, options)) {
        c.removeAttribute('value');
        if (o.localName === 'textarea' || o.hasAttribute('contenteditable')) c.textContent = '';
        if (o.localName === 'option') c.textContent = '';
        c.setAttribute('data-stepwise-masked', 'true');
      }
    }
    for (const sel of options.denySelectors ?? []) {
      try {
        if (o.matches(sel)) {
          c.textContent = '';
          c.setAttribute('data-stepwise-masked', 'true');
        }
      } catch {
        /* ignore invalid selectors */
      }
    }
  }
  const html = maskSensitiveText(clone.outerHTML);
  return html.length > max ? html.slice(0, max) : html;
}

/** The brief's `dom_context`, masked. */
export function domContext(el: Element, options: PrivacyOptions = {}): { element_html: string; parent_html: string | null; value_masked?: boolean } {
  const parent = el.parentElement;
  const element_html = sanitizedHtml(el, options, 2000);
  const parent_html = parent ? sanitizedHtml(parent, options, 4000) : null;
  const masked = element_html.includes('data-stepwise-masked') || (parent_html ?? '').includes('data-stepwise-masked');
  return masked ? { element_html, parent_html, value_masked: true } : { element_html, parent_html };
}
