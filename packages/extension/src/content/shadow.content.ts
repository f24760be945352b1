// Shadow roots as the content script sees them. An event from inside a closed shadow root reaches
// a window listener retargeted to the host (its composed path stops there), and events that are
// not composed (`change`, `submit`) never leave their root. With chrome.dom.openOrClosedShadowRoot
// (content scripts have it) the real target is found: the element under the pointer, or the one
// that has focus, inside each closed root on the way.
import type { ShadowAccess } from '@stepwise/guide-core';

/** Opens a host's shadow root, closed ones too where the browser lets the extension. */
export const shadowRootOf: ShadowAccess = (host) => {
  if (host.shadowRoot) return host.shadowRoot;
  const dom = (globalThis as { chrome?: { dom?: { openOrClosedShadowRoot?: (e: HTMLElement) => ShadowRoot | null } } }).chrome?.dom;
  if (!dom?.openOrClosedShadowRoot || !(host instanceof HTMLElement)) return null;
  try {
    return dom.openOrClosedShadowRoot(host);
  } catch {
    return null;
  }
};

function pointed(e: Event): { x: number; y: number } | null {
  // A click made with the keyboard (detail 0) has no pointer position: focus says where it is.
  if (!(e instanceof MouseEvent) || (e.type === 'click' && e.detail === 0)) return null;
  return { x: e.clientX, y: e.clientY };
}

/**
 * The element an event really happened on: its composed path's first node, followed down into
 * shadow roots the path did not enter (closed ones), by the pointer position or by focus.
 */
export function deepTarget(e: Event, shadowOf: ShadowAccess = shadowRootOf, from?: Element | null): Element | null {
  const first = from ?? e.composedPath()[0];
  if (!(first instanceof Element)) return null;
  const at = pointed(e);
  let cur: Element = first;
  for (let depth = 0; depth < 16; depth++) {
    const root = shadowOf(cur);
    if (!root) break;
    const inner = at ? root.elementFromPoint(at.x, at.y) : root.activeElement;
    // Outside this root (the point is on the host's own box, focus is elsewhere): stop here.
    if (!inner || inner === cur || inner.getRootNode() !== root) break;
    cur = inner;
  }
  return cur;
}

/** The shadow roots that hold `el`, innermost first. */
export function rootsOf(el: Element): ShadowRoot[] {
  const out: ShadowRoot[] = [];
  for (let root = el.getRootNode(); root instanceof ShadowRoot; root = root.host.getRootNode()) out.push(root);
  return out;
}

/** Whether `el` is `target` or inside it, across shadow roots (a slotted or shadow descendant). */
export function within(target: Element, el: Element | null): boolean {
  for (let cur: Element | null = el, depth = 0; cur && depth < 64; depth++) {
    if (cur === target) return true;
    cur = cur.parentElement ?? ((cur.getRootNode() as ShadowRoot).host as Element | undefined) ?? null;
  }
  return false;
}
