// The walkthrough overlay: spotlight, backdrop, tooltip and progress bar, drawn in the browser's
// top layer (a manual popover) inside a closed shadow root. Nothing the page does with z-index or
// stacking contexts can cover it, the page's CSS cannot reach it (`all: initial`), and it cannot
// reach the page. Text from the server is set with textContent only.
//
// The spotlight is a double ring, white inside and near-black outside, around a hole in a dimmed
// backdrop: one of the two colours stands out against whatever is beside it (a white page, a dark
// one, the app's own blue focus ring), which a single coloured ring cannot (WCAG 1.4.11, 3:1;
// the two-colour indicator of technique C40).
import { placeTooltip, spotlightRect, type Rect } from './placement';

export interface OverlayButton {
  label: string;
  onClick: () => void;
  primary?: boolean;
  /** Accessible name when the label alone is ambiguous. */
  ariaLabel?: string;
}

export interface StepView {
  target: Element | null;
  title: string;
  body: string;
  index: number;
  total: number;
  buttons: OverlayButton[];
  /** A checkbox above the buttons (e.g. "Report it to my admin"); its state is the caller's. */
  option?: OverlayOption;
  tone?: 'normal' | 'warning' | 'done';
  /** A candidate the user is asked about: drawn dashed, not as a certain match. */
  question?: boolean;
  /** The target is the iframe whose own overlay shows the step: drawn as an area, not a match. */
  area?: boolean;
}

export interface OverlayOption {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}

const CSS = `
:host { all: initial; }
.layer { all: initial; position: fixed; inset: 0; width: 100vw; height: 100vh; max-width: none; max-height: none; margin: 0; padding: 0;
  border: 0; background: transparent; overflow: visible; pointer-events: none; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #0f172a; }
.layer:popover-open { display: block; }
.backdrop { position: fixed; inset: 0; background: rgba(15, 23, 42, 0.5); }
.spot { position: fixed; border-radius: 8px; border: 3px solid #fff; box-shadow: 0 0 0 3px #0b1220, 0 0 0 200vmax rgba(15,23,42,.5);
  transition: box-shadow .15s; pointer-events: none; box-sizing: border-box; }
.spot.ask { outline: 3px dashed #f59e0b; outline-offset: 3px; }
.spot.area { border-width: 2px; border-radius: 10px; box-shadow: 0 0 0 2px #0b1220, 0 0 0 200vmax rgba(15,23,42,.35); }
.spot.ok { box-shadow: 0 0 0 3px #15803d, 0 0 0 200vmax rgba(15,23,42,.5); }
.spot.nudge { animation: nudge .4s; outline: 3px solid #f59e0b; outline-offset: 3px; }
@keyframes nudge { 25% { transform: translateX(-4px); } 75% { transform: translateX(4px); } }
.tip { position: fixed; width: 320px; max-width: calc(100vw - 16px); box-sizing: border-box; background: #fff; border-radius: 10px; padding: 14px 16px 12px;
  box-shadow: 0 10px 30px rgba(15,23,42,.35); pointer-events: auto; }
.tip.warning { border-top: 4px solid #f59e0b; } .tip.done { border-top: 4px solid #16a34a; }
.count { font-size: 12px; color: #475569; margin: 0 0 2px; }
.title { font-weight: 600; font-size: 15px; margin: 0 0 4px; }
.body { margin: 0 0 10px; color: #334155; white-space: pre-line; }
.hint { margin: 0 0 8px; color: #b45309; font-size: 13px; min-height: 0; }
.hint:empty { display: none; }
.option { display: flex; align-items: center; gap: 8px; margin: 0 0 10px; font-size: 13px; color: #334155; cursor: pointer; }
.option[hidden] { display: none; }
.option input { margin: 0; width: 16px; height: 16px; accent-color: #2563eb; cursor: pointer; }
.option input:focus-visible { outline: 2px solid #2563eb; outline-offset: 2px; }
.row { display: flex; gap: 8px; justify-content: flex-end; flex-wrap: wrap; }
button { all: initial; font: inherit; font-size: 13px; padding: 6px 12px; border-radius: 6px; cursor: pointer; border: 1px solid #cbd5e1; color: #0f172a; background: #fff; }
button.primary { background: #2563eb; border-color: #2563eb; color: #fff; }
button:focus-visible { outline: 2px solid #2563eb; outline-offset: 2px; }
.progress { position: fixed; left: 0; top: 0; height: 4px; background: #2563eb; transition: width .2s; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, cls?: string): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  return e;
}

export class Overlay {
  readonly host: HTMLElement;
  private readonly layer: HTMLDivElement;
  private readonly backdrop: HTMLDivElement;
  private readonly spot: HTMLDivElement;
  private readonly tip: HTMLDivElement;
  private readonly count: HTMLParagraphElement;
  private readonly title: HTMLParagraphElement;
  private readonly body: HTMLParagraphElement;
  private readonly hint: HTMLParagraphElement;
  private readonly option: HTMLLabelElement;
  private readonly optionBox: HTMLInputElement;
  private readonly optionText: HTMLSpanElement;
  private onOption: ((checked: boolean) => void) | null = null;
  private readonly row: HTMLDivElement;
  private readonly progress: HTMLDivElement;
  private readonly live: HTMLDivElement;
  private target: Element | null = null;
  private frame = 0;
  private lastRect = '';
  private topLayerSeen = new Set<Element>();
  /** Called when the spotlighted element left the document (the page re-rendered it). */
  onTargetLost: (() => void) | null = null;
  /** performance.now() when the current step became visible (bench and tests). */
  shownAt = 0;

  /** `progress: false` in a child frame: the top frame's bar already shows the run's progress. */
  constructor(
    private readonly doc: Document = document,
    opts: { progress?: boolean } = {},
  ) {
    this.host = doc.createElement('stepwise-guide');
    this.host.setAttribute('style', 'all: initial; position: fixed; inset: 0; pointer-events: none; z-index: 2147483647;');
    const root = this.host.attachShadow({ mode: 'closed' });
    const style = el(doc, 'style');
    style.textContent = CSS;
    this.layer = el(doc, 'div', 'layer');
    this.layer.setAttribute('popover', 'manual');
    this.backdrop = el(doc, 'div', 'backdrop');
    this.spot = el(doc, 'div', 'spot');
    this.tip = el(doc, 'div', 'tip');
    this.tip.setAttribute('role', 'dialog');
    this.tip.setAttribute('aria-modal', 'false');
    this.tip.setAttribute('aria-labelledby', 'stepwise-title');
    this.count = el(doc, 'p', 'count');
    this.title = el(doc, 'p', 'title');
    this.title.id = 'stepwise-title';
    this.body = el(doc, 'p', 'body');
    this.hint = el(doc, 'p', 'hint');
    this.hint.setAttribute('role', 'alert');
    this.option = el(doc, 'label', 'option');
    this.option.hidden = true;
    this.optionBox = el(doc, 'input');
    this.optionBox.type = 'checkbox';
    this.optionText = el(doc, 'span');
    this.option.append(this.optionBox, this.optionText);
    this.optionBox.addEventListener('change', () => this.onOption?.(this.optionBox.checked));
    this.row = el(doc, 'div', 'row');
    this.tip.append(this.count, this.title, this.body, this.hint, this.option, this.row);
    this.progress = el(doc, 'div', 'progress');
    this.progress.setAttribute('role', 'progressbar');
    this.progress.setAttribute('aria-valuemin', '0');
    if (opts.progress === false) this.progress.hidden = true;
    this.live = el(doc, 'div', 'sr');
    this.live.setAttribute('aria-live', 'polite');
    this.layer.append(this.backdrop, this.spot, this.progress, this.tip, this.live);
    root.append(style, this.layer);
    // Attached when it first shows something: a frame that never shows a step keeps its DOM as it was.
  }

  /** Puts the layer on top of the top layer (again, after the page opened its own dialog). */
  private raise(): void {
    const layer = this.layer as HTMLDivElement & { showPopover?: () => void; hidePopover?: () => void };
    if (typeof layer.showPopover !== 'function') return; // no popover support: z-index fallback
    try {
      if (layer.matches(':popover-open')) layer.hidePopover?.();
      layer.showPopover();
    } catch {
      /* detached or not allowed: the z-index fallback still applies */
    }
  }

  show(view: StepView): void {
    if (!this.host.isConnected) (this.doc.documentElement ?? this.doc.body).append(this.host);
    this.target = view.target;
    this.lastRect = '';
    this.count.textContent = view.total > 0 ? `Step ${Math.min(view.index + 1, view.total)} of ${view.total}` : '';
    this.title.textContent = view.title;
    this.body.textContent = view.body;
    this.hint.textContent = '';
    this.tip.className = `tip ${view.tone && view.tone !== 'normal' ? view.tone : ''}`;
    this.option.hidden = !view.option;
    this.onOption = view.option?.onChange ?? null;
    this.optionBox.checked = !!view.option?.checked;
    this.optionText.textContent = view.option?.label ?? '';
    this.row.replaceChildren(
      ...view.buttons.map((b) => {
        const btn = el(this.doc, 'button', b.primary ? 'primary' : undefined);
        btn.type = 'button';
        btn.textContent = b.label;
        if (b.ariaLabel) btn.setAttribute('aria-label', b.ariaLabel);
        btn.addEventListener('click', (e) => {
          e.stopPropagation();
          b.onClick();
        });
        return btn;
      }),
    );
    const done = view.total > 0 ? (view.tone === 'done' ? view.total : view.index) : 0;
    this.progress.style.width = view.total > 0 ? `${(100 * done) / view.total}%` : '0';
    this.progress.setAttribute('aria-valuemax', String(view.total));
    this.progress.setAttribute('aria-valuenow', String(done));
    this.spot.className = view.question ? 'spot ask' : view.area ? 'spot area' : 'spot';
    this.spot.dataset.kind = view.question ? 'question' : view.area ? 'area' : 'match';
    this.spot.style.display = view.target ? 'block' : 'none';
    this.backdrop.style.display = view.target ? 'none' : 'block';
    this.live.textContent = `${this.count.textContent}. ${view.title}. ${view.body}`;
    this.position();
    this.raise();
    this.shownAt = performance.now();
    cancelAnimationFrame(this.frame);
    if (view.target) this.frame = requestAnimationFrame(this.tick);
  }

  /** Follows the target through scrolling (also inside scroll containers), resizes and layout shifts. */
  private tick = () => {
    if (this.target && !this.target.isConnected) {
      this.onTargetLost?.();
      return;
    }
    this.position();
    this.keepOnTop();
    this.frame = requestAnimationFrame(this.tick);
  };

  private keepOnTop(): void {
    // A dialog or popover the page opens after us would be drawn above: raise the layer again.
    let fresh = false;
    const open = new Set<Element>();
    for (const e of Array.from(this.doc.querySelectorAll('dialog[open], [popover]'))) {
      if (e.matches(':modal, :popover-open')) {
        open.add(e);
        if (!this.topLayerSeen.has(e)) fresh = true;
      }
    }
    this.topLayerSeen = open;
    if (fresh) this.raise();
  }

  position(): void {
    const vw = this.doc.documentElement.clientWidth || window.innerWidth;
    const vh = this.doc.documentElement.clientHeight || window.innerHeight;
    const viewport = { width: vw, height: vh };
    let rect: Rect | null = null;
    if (this.target) {
      const r = this.target.getBoundingClientRect();
      rect = { left: r.left, top: r.top, width: r.width, height: r.height };
    }
    const key = rect ? `${rect.left},${rect.top},${rect.width},${rect.height},${vw},${vh}` : `none,${vw},${vh}`;
    if (key === this.lastRect) return;
    this.lastRect = key;
    if (rect) {
      const s = spotlightRect(rect, viewport);
      Object.assign(this.spot.style, { left: `${s.left}px`, top: `${s.top}px`, width: `${s.width}px`, height: `${s.height}px` });
    }
    const size = { width: this.tip.offsetWidth || 320, height: this.tip.offsetHeight || 120 };
    const p = placeTooltip(rect, size, viewport);
    this.tip.style.left = `${p.left}px`;
    this.tip.style.top = `${p.top}px`;
    this.tip.dataset.side = p.side;
  }

  /** Takes the overlay off the screen (for a capture of the page); returns what puts it back. */
  hideForCapture(): () => void {
    this.layer.style.visibility = 'hidden';
    return () => {
      this.layer.style.visibility = '';
    };
  }

  success(): void {
    this.spot.className = 'spot ok';
    this.hint.textContent = '';
  }

  nudge(text: string): void {
    this.hint.textContent = text;
    this.spot.className = 'spot';
    void this.spot.offsetWidth; // restart the animation
    this.spot.className = 'spot nudge';
  }

  /** For tests and the e2e: what is shown, read through the closed root's owner (us). */
  snapshot(): {
    title: string;
    body: string;
    count: string;
    hint: string;
    buttons: string[];
    primary: string | null;
    option: { label: string; checked: boolean } | null;
    topLayer: boolean;
    spot: boolean;
    question: boolean;
  } {
    return {
      question: this.spot.dataset.kind === 'question' && this.spot.style.display !== 'none',
      title: this.title.textContent ?? '',
      body: this.body.textContent ?? '',
      count: this.count.textContent ?? '',
      hint: this.hint.textContent ?? '',
      buttons: Array.from(this.row.querySelectorAll('button'), (b) => b.textContent ?? ''),
      primary: this.row.querySelector('button.primary')?.textContent ?? null,
      option: this.option.hidden ? null : { label: this.optionText.textContent ?? '', checked: this.optionBox.checked },
      topLayer: (() => {
        try {
          return this.layer.matches(':popover-open');
        } catch {
          return false;
        }
      })(),
      spot: this.spot.style.display !== 'none',
    };
  }

  /** Clicks a tooltip button by its label (keyboard users reach them with Tab; tests use this). */
  press(label: string): boolean {
    const btn = Array.from(this.row.querySelectorAll('button')).find((b) => b.textContent === label);
    btn?.click();
    return !!btn;
  }

  /** Clicks the card's checkbox (keyboard users reach it with Tab; tests use this). */
  toggleOption(): boolean {
    if (this.option.hidden) return false;
    this.optionBox.click();
    return true;
  }

  contains(node: EventTarget | null): boolean {
    return node === this.host;
  }

  /** Shows nothing (another frame shows the step); the next show() puts it back. */
  hide(): void {
    cancelAnimationFrame(this.frame);
    this.target = null;
    this.onTargetLost = null;
    this.host.remove();
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.host.remove();
  }
}
