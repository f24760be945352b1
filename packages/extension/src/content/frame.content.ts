// A frame's part in telling frames apart. The service worker knows which frame is which (the
// browser's frame ids and frame tree); it asks a frame's content script only what that document
// alone can read: the selector of the iframe element that holds a child frame, found through the
// browser's `window.frames` order (a content script cannot get a frame id from an element in
// Chromium: runtime.getFrameId is Firefox's). Nothing here reads window messages: the page cannot
// take part.
import { cssSelector, deepQueryAll, originAndPath, positionalCss, resolveSelector } from '@stepwise/guide-core';
import { isFrameRequest, isFromExtension, type FrameRequest, type FrameResponseMap } from '../shared/messages';
import { shadowRootOf } from './shadow.content';

/** This frame's index in its parent's `window.frames` (-1: not there, e.g. an iframe in a shadow root; top: -1). */
export function indexInParent(win: Window = window): number {
  if (win.parent === win) return -1;
  const siblings = win.parent.frames;
  for (let i = 0; i < siblings.length; i++) if (siblings[i] === win) return i;
  return -1;
}

/** This frame's index in each ancestor's `window.frames`, outermost first (empty in the top frame). */
export function indexPath(win: Window = window): number[] {
  const out: number[] = [];
  for (let w = win, depth = 0; w.parent !== w && depth < 16; w = w.parent, depth++) {
    try {
      out.unshift(indexInParent(w));
    } catch {
      out.unshift(-1);
    }
  }
  return out;
}

function frameElements(doc: Document): Element[] {
  return deepQueryAll(doc, 'iframe,frame', shadowRootOf);
}

function addressOf(f: Element): string {
  try {
    const href = (f as HTMLIFrameElement).contentWindow?.location.href;
    if (href) return originAndPath(href);
  } catch {
    /* cross-origin: its src says where it started */
  }
  const src = f.getAttribute('src');
  try {
    return src ? originAndPath(new URL(src, f.ownerDocument.baseURI).href) : '';
  } catch {
    return '';
  }
}

/** The iframe element holding `window.frames[index]` here, or (index -1) the only one at `url` (origin and path). */
export function childFrameElement(doc: Document, index: number, url: string): Element | null {
  const win = doc.defaultView;
  const all = frameElements(doc);
  if (win && index >= 0 && index < win.frames.length) {
    const child = win.frames[index];
    const hit = all.find((f) => (f as HTMLIFrameElement).contentWindow === child);
    if (hit) return hit;
  }
  const want = originAndPath(url);
  const same = want ? all.filter((f) => addressOf(f) === want) : [];
  return same.length === 1 ? same[0]! : null;
}

/** A selector for an iframe element from its document (a frame inside a shadow root: `pierce/`). */
export function frameSelector(f: Element): string {
  const css = cssSelector(f) || positionalCss(f);
  return (f.getRootNode() as ShadowRoot).host ? `pierce/${css}` : css;
}

function resolveFrame(doc: Document, selector: string): number | null {
  const hits = resolveSelector(doc, selector, shadowRootOf).filter((f) => f.localName === 'iframe' || f.localName === 'frame');
  const win = doc.defaultView;
  if (hits.length !== 1 || !win) return null;
  const child = (hits[0] as HTMLIFrameElement).contentWindow;
  for (let i = 0; i < win.frames.length; i++) if (win.frames[i] === child) return i;
  return null;
}

export function answerFrameRequest(msg: FrameRequest, doc: Document = document): FrameResponseMap[FrameRequest['type']] {
  switch (msg.type) {
    case 'frame/index':
      return { index: indexInParent(doc.defaultView ?? window) };
    case 'frame/child-selector': {
      const el = childFrameElement(doc, Number(msg.index), String(msg.url));
      return { selector: el ? frameSelector(el) : null };
    }
    case 'frame/resolve':
      return { index: resolveFrame(doc, String(msg.selector)) };
  }
}

/** Answers the service worker's questions about this frame, in every frame, whatever feature runs. */
export function listenForFrameRequests(): void {
  chrome.runtime.onMessage.addListener((msg: unknown, sender, sendResponse) => {
    if (!isFromExtension(sender, chrome.runtime.id) || !isFrameRequest(msg)) return false;
    try {
      sendResponse(answerFrameRequest(msg));
    } catch {
      sendResponse(undefined);
    }
    return false;
  });
}
