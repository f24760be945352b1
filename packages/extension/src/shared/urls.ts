// The one gate for opening a stored address: a step's page URL, a workflow's starting URL. Only web
// addresses (http: and https:) are ever navigated to — a workflow comes from the server, and a
// `javascript:`, `data:`, `file:` or `chrome:` URL stored in it must never run or open.

/**
 * The address as an absolute http(s) URL, or null when it is anything else (another scheme, not
 * a URL at all). `base` resolves a relative address (the page's own URL in a content script).
 */
export function webUrl(raw: string | null | undefined, base?: string): string | null {
  if (typeof raw !== 'string' || raw === '') return null;
  let u: URL;
  try {
    u = base === undefined ? new URL(raw) : new URL(raw, base);
  } catch {
    return null;
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
}

/**
 * The extension's own popup page opened in a tab (a share link's start page): the only other
 * address the extension navigates a tab to, built here from numbers only.
 */
export function popupPageUrl(params: Record<string, number>): string {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(Math.trunc(v))]));
  return chrome.runtime.getURL(`popup.html?${query}`);
}

/** The origin of an http(s) page (a tab's top frame), or null for any other address. */
export function webOrigin(url: string | null | undefined): string | null {
  const href = webUrl(url);
  return href === null ? null : new URL(href).origin;
}

/**
 * The host access pattern for one site: every port of its host (the popup asks for it, the worker
 * checks it before reading the site's cookies).
 */
export function sitePattern(origin: string): string {
  const u = new URL(origin);
  return `${u.protocol}//${u.hostname}/*`;
}
