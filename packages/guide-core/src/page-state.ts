/**
 * pageStateHash: a fingerprint of "which screen is this", stable across visits (no dynamic
 * text, counts or ids) and different between screens. Built from the URL path shape, the
 * landmarks, the headings (digits removed), open dialogs, and forms' field names and types.
 */
import { sha256Hex } from './sha256.js';
import { isStableId } from './dom-util.js';

const LANDMARK_SELECTOR =
  'header,nav,main,aside,footer,form,dialog[open],[role=banner],[role=navigation],[role=main],[role=complementary],[role=contentinfo],[role=dialog],[role=search],[role=tablist]';

function shape(text: string | null | undefined, max = 80): string {
  return (text || '')
    .replace(/\d+([.,:/-]\d+)*/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
    .slice(0, max);
}

/** Path with ids and numbers generalised: /invoices/123/edit → /invoices/#/edit. */
export function urlShape(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname
      .split('/')
      .map((seg) => (/\d/.test(seg) && seg.length > 2 ? '#' : seg.length > 24 ? '*' : seg))
      .join('/');
    const hashRoute = u.hash.startsWith('#/') ? u.hash.split('?')[0].split('/').map((seg) => (/\d/.test(seg) ? '#' : seg)).join('/') : '';
    return `${u.host}${path}${hashRoute}`;
  } catch {
    return '';
  }
}

function isShown(el: Element): boolean {
  const h = el as HTMLElement;
  if (h.hidden) return false;
  const view = el.ownerDocument.defaultView;
  if (!view) return true;
  const s = view.getComputedStyle(el);
  return s.display !== 'none' && s.visibility !== 'hidden';
}

/** The canonical description that is hashed (exported for debugging and tests). */
export function pageStateDescription(doc: Document): string {
  const parts: string[] = [`url:${urlShape(doc.location?.href ?? '')}`];
  for (const el of Array.from(doc.querySelectorAll(LANDMARK_SELECTOR)).slice(0, 40)) {
    if (!isShown(el)) continue;
    const label = el.getAttribute('aria-label');
    parts.push(`L:${el.localName}${el.getAttribute('role') ? `[${el.getAttribute('role')}]` : ''}${label ? `:${shape(label)}` : ''}`);
  }
  for (const el of Array.from(doc.querySelectorAll('h1,h2,h3,[role=heading]')).slice(0, 30)) {
    if (isShown(el)) parts.push(`H:${el.localName}:${shape(el.textContent, 60)}`);
  }
  const fields = new Set<string>();
  for (const el of Array.from(doc.querySelectorAll('input,select,textarea,button[type=submit]')).slice(0, 200)) {
    if (!isShown(el) || (el as HTMLInputElement).type === 'hidden') continue;
    const key = el.getAttribute('name') || (isStableId(el.id) ? el.id : '') || el.getAttribute('aria-label') || '';
    fields.add(`F:${el.localName}:${(el.getAttribute('type') || '').toLowerCase()}:${shape(key, 40)}`);
  }
  parts.push(...[...fields].sort());
  return parts.join('\n');
}

/** `sha256:<hex>` of the page's structural description. */
export function pageStateHash(doc: Document = document): string {
  return `sha256:${sha256Hex(pageStateDescription(doc))}`;
}
