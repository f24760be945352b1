// The guide launcher (issue 15, item 6): a small "Guides" button on a page whose site has published
// guides, opening a searchable list of them (this page's first, then the rest of the site); a
// guide picked starts its walkthrough through the service worker, as the popup's Start does.
//
// Like the overlay it is drawn in the browser's top layer (a manual popover) inside a closed
// shadow root: the page's CSS cannot reach it and the page cannot read it. Guide names and
// descriptions come from admins: they are set as text only. It sits in the first corner none of
// the page's own fixed controls occupies (launcher-placement.ts), looked for again when the
// viewport changes or the page adds something to its body. Keys typed in it do not bubble to the
// page (a site's own shortcuts would fire while typing in the search field).
import { send } from '../shared/messages';
import { orderGuides, type LauncherGuide } from '../shared/launcher';
import { CLEARANCE, CORNERS, EDGE, placeLauncher, type Corner, type LauncherPlace } from './launcher-placement';
import type { Rect } from './placement';

const CSS = `
:host { all: initial; }
.dock { all: initial; position: fixed; inset: auto; margin: 0; padding: 0; border: 0; background: transparent; overflow: visible;
  display: flex; flex-direction: column-reverse; align-items: flex-end; gap: 8px; max-width: calc(100vw - 16px);
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #0f172a; }
.dock[data-corner$="left"] { align-items: flex-start; }
.dock[data-corner^="top"] { flex-direction: column; }
button { all: initial; font: inherit; cursor: pointer; box-sizing: border-box; }
button:focus-visible, input:focus-visible { outline: 2px solid transparent; box-shadow: 0 0 0 2px #fff, 0 0 0 5px #1d4ed8; }
.open { display: inline-flex; align-items: center; gap: 6px; padding: 9px 14px 9px 11px; border-radius: 999px; background: #0f172a; color: #fff;
  font-weight: 600; font-size: 14px; box-shadow: 0 4px 14px rgba(15,23,42,.3); white-space: nowrap; }
.open:hover { background: #1e293b; }
.open svg { width: 18px; height: 18px; flex: none; }
.panel { width: 320px; max-width: calc(100vw - 32px); box-sizing: border-box; display: flex; flex-direction: column; background: #fff; color: #0f172a;
  border-radius: 12px; border: 1px solid #cbd5e1; box-shadow: 0 12px 32px rgba(15,23,42,.3); overflow: hidden; }
.panel[hidden] { display: none; }
.head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 12px 12px 4px 16px; }
.title { margin: 0; font-weight: 600; font-size: 15px; }
.close { width: 28px; height: 28px; border-radius: 6px; display: inline-flex; align-items: center; justify-content: center; color: #475569; font-size: 18px; }
.close:hover { background: #f1f5f9; }
.search { all: initial; font: inherit; margin: 6px 12px 8px; padding: 8px 10px; border: 1px solid #94a3b8; border-radius: 8px; color: #0f172a; background: #fff; }
.search::placeholder { color: #64748b; }
.list { overflow-y: auto; padding: 0 6px 8px; }
.group { margin: 8px 10px 4px; font-size: 12px; font-weight: 600; color: #475569; text-transform: uppercase; letter-spacing: .03em; }
.group[hidden], ul[hidden], .empty[hidden], .error[hidden] { display: none; }
ul { list-style: none; margin: 0; padding: 0; }
.guide { display: block; width: 100%; padding: 8px 10px; border-radius: 8px; text-align: left; }
.guide:hover { background: #f1f5f9; }
.guide:focus-visible { box-shadow: inset 0 0 0 2px #1d4ed8; background: #eff6ff; }
.guide[aria-disabled="true"] { cursor: progress; opacity: .6; }
.name { display: block; font-weight: 500; color: #0f172a; }
.meta { display: block; font-size: 12px; color: #475569; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.empty { margin: 8px 10px; color: #475569; }
.error { margin: 0 12px 10px; color: #b91c1c; font-size: 13px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

/** The book-with-a-question-mark icon, built as nodes (no markup parsed). */
function icon(doc: Document): SVGSVGElement {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linecap', 'round');
  for (const d of ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z', 'M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3', 'M12 17h.01']) {
    const path = doc.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, cls?: string): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  return e;
}

export interface LauncherHandlers {
  /** Starts a guide; rejects with what to tell the user. */
  start: (workflowId: number) => Promise<void>;
  /** The list again when the launcher is opened (null: no launcher here any more). */
  refresh: () => Promise<LauncherGuide[] | null>;
  /** The page's address now (a single-page app changes it without a reload). */
  pageUrl: () => string;
}

export interface LauncherSnapshot {
  state: 'closed' | 'open';
  corner: Corner;
  here: string[];
  site: string[];
  empty: string | null;
  error: string | null;
}

export class Launcher {
  readonly host: HTMLElement;
  private readonly dock: HTMLDivElement;
  private readonly button: HTMLButtonElement;
  private readonly panel: HTMLDivElement;
  private readonly search: HTMLInputElement;
  private readonly hereHead: HTMLParagraphElement;
  private readonly hereList: HTMLUListElement;
  private readonly siteHead: HTMLParagraphElement;
  private readonly siteList: HTMLUListElement;
  private readonly empty: HTMLParagraphElement;
  private readonly error: HTMLParagraphElement;
  private readonly count: HTMLParagraphElement;
  private guides: LauncherGuide[];
  private starting = false;
  private corner: Corner = 'bottom-right';
  /** Called when the launcher should be placed again (its list closed). */
  onLayout: (() => void) | null = null;

  constructor(
    guides: LauncherGuide[],
    private readonly handlers: LauncherHandlers,
    private readonly doc: Document = document,
  ) {
    this.guides = guides;
    this.host = doc.createElement('stepwise-launcher');
    this.host.setAttribute('style', 'all: initial; position: fixed; z-index: 2147483647;');
    this.host.dataset.state = 'closed';
    const root = this.host.attachShadow({ mode: 'closed' });
    const style = el(doc, 'style');
    style.textContent = CSS;

    this.dock = el(doc, 'div', 'dock');
    this.dock.setAttribute('popover', 'manual');

    this.button = el(doc, 'button', 'open');
    this.button.type = 'button';
    this.button.setAttribute('aria-expanded', 'false');
    this.button.setAttribute('aria-controls', 'stepwise-guides');
    this.button.setAttribute('aria-haspopup', 'dialog');
    const label = el(doc, 'span');
    label.textContent = 'Guides';
    this.button.append(icon(doc), label);
    this.button.addEventListener('click', () => (this.isOpen ? this.close() : void this.openPanel()));

    this.panel = el(doc, 'div', 'panel');
    this.panel.id = 'stepwise-guides';
    this.panel.hidden = true;
    this.panel.setAttribute('role', 'dialog');
    this.panel.setAttribute('aria-labelledby', 'stepwise-guides-title');
    const head = el(doc, 'div', 'head');
    const title = el(doc, 'p', 'title');
    title.id = 'stepwise-guides-title';
    title.textContent = 'Guides for this site';
    const close = el(doc, 'button', 'close');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close guides');
    close.textContent = '×';
    close.addEventListener('click', () => this.close());
    head.append(title, close);
    this.search = el(doc, 'input', 'search');
    this.search.type = 'search';
    this.search.placeholder = 'Search guides';
    this.search.setAttribute('aria-label', 'Search guides');
    this.search.autocomplete = 'off';
    this.search.spellcheck = false;
    this.search.addEventListener('input', () => this.render());
    this.count = el(doc, 'p', 'sr');
    this.count.setAttribute('aria-live', 'polite');
    const list = el(doc, 'div', 'list');
    this.hereHead = el(doc, 'p', 'group');
    this.hereHead.id = 'stepwise-here';
    this.hereHead.textContent = 'On this page';
    this.hereList = el(doc, 'ul');
    this.hereList.setAttribute('aria-labelledby', 'stepwise-here');
    this.siteHead = el(doc, 'p', 'group');
    this.siteHead.id = 'stepwise-site';
    this.siteHead.textContent = 'Elsewhere on this site';
    this.siteList = el(doc, 'ul');
    this.siteList.setAttribute('aria-labelledby', 'stepwise-site');
    this.empty = el(doc, 'p', 'empty');
    list.append(this.hereHead, this.hereList, this.siteHead, this.siteList, this.empty);
    this.error = el(doc, 'p', 'error');
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    this.panel.append(head, this.search, this.count, list, this.error);

    this.dock.append(this.button, this.panel);
    this.dock.addEventListener('keydown', this.onKey);
    // Typing here is ours: the page's own key handlers (shortcuts) never see it.
    for (const type of ['keydown', 'keyup', 'keypress', 'input', 'beforeinput']) this.dock.addEventListener(type, (e) => e.stopPropagation());
    root.append(style, this.dock);
    (doc.documentElement ?? doc.body).append(this.host);
    this.raise();
    this.render();
    this.applyPlace(placeLauncher({ width: this.viewport().width, height: this.viewport().height }, this.size(), []));
    doc.addEventListener('pointerdown', this.onOutside, true);
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  private raise(): void {
    const dock = this.dock as HTMLDivElement & { showPopover?: () => void };
    try {
      dock.showPopover?.();
    } catch {
      /* no popover support: the fixed position and z-index still apply */
    }
  }

  viewport(): { width: number; height: number } {
    return { width: this.doc.documentElement.clientWidth || window.innerWidth, height: this.doc.documentElement.clientHeight || window.innerHeight };
  }

  /** The closed launcher's size (the button), what the placement keeps free. */
  size(): { width: number; height: number } {
    return { width: this.button.offsetWidth || 104, height: this.button.offsetHeight || 38 };
  }

  /** Anchors the launcher by the corner's two edges, so the list opens inward. */
  applyPlace(p: LauncherPlace): void {
    this.corner = p.corner;
    this.dock.dataset.corner = p.corner;
    this.host.dataset.corner = p.corner;
    const s = this.dock.style;
    s.left = s.right = s.top = s.bottom = 'auto';
    if (p.corner.endsWith('right')) s.right = `${p.offsetX}px`;
    else s.left = `${p.offsetX}px`;
    if (p.corner.startsWith('bottom')) s.bottom = `${p.offsetY}px`;
    else s.top = `${p.offsetY}px`;
    // The list fits between the button and the far edge.
    const room = this.viewport().height - p.offsetY - this.size().height - 8 - EDGE;
    this.panel.style.maxHeight = `${Math.max(160, Math.min(440, room))}px`;
  }

  /** The button's box in the viewport (placement checks and tests). */
  buttonRect(): Rect {
    const r = this.button.getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height };
  }

  setGuides(guides: LauncherGuide[]): void {
    this.guides = guides;
    this.render();
  }

  async openPanel(): Promise<void> {
    if (this.isOpen) return;
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.host.dataset.state = 'open';
    this.error.hidden = true;
    this.render();
    this.search.focus();
    this.search.select();
    // The list as the worker has it now (fetched again when its copy is older than a minute).
    try {
      const fresh = await this.handlers.refresh();
      if (fresh) this.setGuides(fresh);
    } catch {
      /* the list shown stands */
    }
  }

  /** Closes the list; focus goes back to the button when it was in the list. */
  close(returnFocus = true): void {
    if (!this.isOpen) return;
    const hadFocus = this.hasFocus();
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    this.host.dataset.state = 'closed';
    if (returnFocus && hadFocus) this.button.focus();
    this.onLayout?.();
  }

  private hasFocus(): boolean {
    return this.doc.activeElement === this.host;
  }

  private onOutside = (e: Event) => {
    if (this.isOpen && !e.composedPath().includes(this.host)) this.close(false);
  };

  private items(): HTMLButtonElement[] {
    return Array.from(this.panel.querySelectorAll<HTMLButtonElement>('button.guide'));
  }

  private onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && this.isOpen) {
      e.preventDefault();
      this.close();
      return;
    }
    if (!this.isOpen || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
    // Arrow keys move between the search field and the guides (Tab does too).
    const root = this.dock.getRootNode() as ShadowRoot;
    const items = this.items();
    const at = items.indexOf(root.activeElement as HTMLButtonElement);
    let next: HTMLElement | null = null;
    if (e.key === 'ArrowDown') next = at < 0 ? items[0] ?? null : items[Math.min(at + 1, items.length - 1)] ?? null;
    else if (at >= 0) next = at === 0 ? this.search : items[at - 1] ?? null;
    if (next) {
      e.preventDefault();
      next.focus();
    }
  };

  private render(): void {
    const query = this.search.value;
    const { here, site } = orderGuides(this.guides, this.handlers.pageUrl(), query);
    const fill = (list: HTMLUListElement, head: HTMLElement, guides: LauncherGuide[]) => {
      list.replaceChildren(...guides.map((g) => this.item(g)));
      list.hidden = head.hidden = guides.length === 0;
    };
    fill(this.hereList, this.hereHead, here);
    fill(this.siteList, this.siteHead, site);
    // With nothing for this page, the rest is simply "this site's" guides.
    this.siteHead.textContent = here.length ? 'Elsewhere on this site' : 'On this site';
    const n = here.length + site.length;
    this.empty.hidden = n > 0;
    this.empty.textContent = n ? '' : query.trim() ? `No guide matches “${query.trim()}”.` : 'No guides for this site yet.';
    this.count.textContent = `${n} ${n === 1 ? 'guide' : 'guides'}`;
  }

  private item(g: LauncherGuide): HTMLLIElement {
    const li = el(this.doc, 'li');
    const btn = el(this.doc, 'button', 'guide');
    btn.type = 'button';
    btn.dataset.id = String(g.id);
    const name = el(this.doc, 'span', 'name');
    name.textContent = g.name;
    const meta = el(this.doc, 'span', 'meta');
    const steps = `${g.stepCount} ${g.stepCount === 1 ? 'step' : 'steps'}`;
    meta.textContent = g.description ? `${steps} · ${g.description}` : steps;
    btn.append(name, meta);
    btn.addEventListener('click', () => void this.pick(g, btn));
    li.append(btn);
    return li;
  }

  private async pick(g: LauncherGuide, btn: HTMLButtonElement): Promise<void> {
    if (this.starting) return;
    this.starting = true;
    for (const b of this.items()) b.setAttribute('aria-disabled', 'true');
    this.error.hidden = true;
    this.count.textContent = `Starting ${g.name}…`;
    try {
      await this.handlers.start(g.id);
      // The walkthrough takes over the page (the content script starts again, or the tab moves).
      this.close(false);
    } catch (e) {
      this.error.textContent = e instanceof Error ? e.message : String(e);
      this.error.hidden = false;
      btn.focus();
    } finally {
      this.starting = false;
      for (const b of this.items()) b.removeAttribute('aria-disabled');
    }
  }

  /** What is shown, read through the closed root's owner (us): unit tests. */
  snapshot(): LauncherSnapshot {
    const names = (list: HTMLUListElement) => (list.hidden ? [] : Array.from(list.querySelectorAll('.name'), (n) => n.textContent ?? ''));
    return {
      state: this.isOpen ? 'open' : 'closed',
      corner: this.corner,
      here: names(this.hereList),
      site: names(this.siteList),
      empty: this.empty.hidden ? null : this.empty.textContent,
      error: this.error.hidden ? null : this.error.textContent,
    };
  }

  /** Types into the search field as a user does (unit tests). */
  type(text: string): void {
    this.search.value = text;
    this.search.dispatchEvent(new Event('input', { bubbles: true }));
  }

  /** The element that has focus inside the launcher (unit tests). */
  focused(): 'button' | 'search' | { guide: string } | null {
    const root = this.dock.getRootNode() as ShadowRoot;
    const a = root.activeElement;
    if (a === this.button) return 'button';
    if (a === this.search) return 'search';
    if (a instanceof HTMLElement && a.classList.contains('guide')) return { guide: a.querySelector('.name')?.textContent ?? '' };
    return null;
  }

  /** Presses a key where focus is (unit tests). */
  press(key: string): void {
    const root = this.dock.getRootNode() as ShadowRoot;
    const target = (root.activeElement as HTMLElement | null) ?? this.dock;
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }));
  }

  /** Clicks a guide by name (unit tests). */
  pickByName(name: string): boolean {
    const btn = this.items().find((b) => b.querySelector('.name')?.textContent === name);
    btn?.click();
    return !!btn;
  }

  /** Clicks the launcher button (unit tests). */
  clickButton(): void {
    this.button.click();
  }

  destroy(): void {
    this.doc.removeEventListener('pointerdown', this.onOutside, true);
    this.host.remove();
  }
}

// ---- the page's own fixed controls in the corners

/** Controls a person uses: inside an app that is one big fixed shell, these are what to avoid. */
const CONTROL = 'a[href], button, input, select, textarea, iframe, [role="button"], [role="link"], [tabindex], [contenteditable=""], [contenteditable="true"]';

function parentAcross(e: Element): Element | null {
  return e.parentElement ?? ((e.getRootNode() as ShadowRoot).host as Element | undefined) ?? null;
}

/**
 * The boxes of the page's fixed or sticky things at the launcher's candidate spots: each spot is
 * probed at nine points (document.elementsFromPoint), and what is found there counts by the box of
 * its nearest fixed/sticky ancestor (a chat bubble's iframe inside its container, a cookie bar).
 * A fixed ancestor as big as half the viewport is an app's shell, not a control: the control
 * itself is taken then, or nothing.
 */
export function fixedBoxes(doc: Document, ignore: Element, size: { width: number; height: number }): Rect[] {
  const win = doc.defaultView;
  if (!win || typeof doc.elementsFromPoint !== 'function') return [];
  const vw = doc.documentElement.clientWidth || win.innerWidth;
  const vh = doc.documentElement.clientHeight || win.innerHeight;
  const big = (vw * vh) / 2;
  const positions = new Map<Element, string>();
  const position = (e: Element) => {
    let p = positions.get(e);
    if (p === undefined) positions.set(e, (p = win.getComputedStyle(e).position));
    return p;
  };
  const found = new Map<Element, Rect>();
  const add = (e: Element) => {
    if (found.has(e)) return;
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) found.set(e, { left: r.left, top: r.top, width: r.width, height: r.height });
  };
  const pad = CLEARANCE;
  for (const corner of CORNERS) {
    const right = corner.endsWith('right');
    const bottom = corner.startsWith('bottom');
    const left = right ? vw - EDGE - size.width : EDGE;
    const top = bottom ? vh - EDGE - size.height : EDGE;
    const xs = [left - pad, left + size.width / 2, left + size.width + pad].map((x) => Math.min(vw - 1, Math.max(0, x)));
    const ys = [top - pad, top + size.height / 2, top + size.height + pad].map((y) => Math.min(vh - 1, Math.max(0, y)));
    for (const x of xs) {
      for (const y of ys) {
        for (const hit of doc.elementsFromPoint(x, y)) {
          if (hit === ignore || hit === doc.documentElement || hit === doc.body) continue;
          let fixed: Element | null = null;
          for (let cur: Element | null = hit, depth = 0; cur && depth < 40; cur = parentAcross(cur), depth++) {
            if (cur === ignore) break;
            const pos = position(cur);
            if (pos === 'fixed' || pos === 'sticky') {
              fixed = cur;
              break;
            }
          }
          if (!fixed) continue;
          const r = fixed.getBoundingClientRect();
          if (r.width * r.height < big) add(fixed);
          else {
            const control = hit.closest(CONTROL);
            if (control) add(control);
          }
        }
      }
    }
  }
  return [...found.values()];
}

/** Starts the launcher in the top frame when this page gets one; stops it when `signal` aborts. */
export async function initLauncher(signal: AbortSignal, doc: Document = document): Promise<Launcher | null> {
  const guides = await send({ type: 'launcher/guides' });
  if (!guides || signal.aborted) return null;
  const launcher = new Launcher(
    guides,
    {
      start: async (workflowId) => {
        await send({ type: 'launcher/start', workflowId });
      },
      refresh: async () => {
        const fresh = await send({ type: 'launcher/guides' });
        // Turned off meanwhile, or a walkthrough started in this tab: the launcher goes.
        if (!fresh) launcher.destroy();
        return fresh;
      },
      pageUrl: () => location.href,
    },
    doc,
  );
  const place = () => {
    if (signal.aborted || launcher.isOpen) return; // an open list does not jump away
    const size = launcher.size();
    launcher.applyPlace(placeLauncher(launcher.viewport(), size, fixedBoxes(doc, launcher.host, size)));
  };
  let timer = 0;
  const later = (ms = 150) => {
    clearTimeout(timer);
    timer = window.setTimeout(place, ms);
  };
  launcher.onLayout = () => later(0);
  place();
  window.addEventListener('resize', () => later(), { signal });
  // Chat widgets and cookie bars arrive after the page: looked for again when the body gains or loses a child.
  const watcher = new MutationObserver(() => later(300));
  if (doc.body) watcher.observe(doc.body, { childList: true });
  for (const ms of [1000, 3000]) window.setTimeout(place, ms);
  signal.addEventListener(
    'abort',
    () => {
      clearTimeout(timer);
      watcher.disconnect();
      launcher.destroy();
    },
    { once: true },
  );
  return launcher;
}
