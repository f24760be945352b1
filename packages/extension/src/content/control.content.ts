// The in-page recording control: step count, pause / resume, stop. In a closed shadow root in
// the top layer, so the page can neither style it nor read it, and the recorder ignores it.

const CSS = `
:host { all: initial; }
.bar { all: initial; position: fixed; right: 16px; bottom: 16px; left: auto; top: auto; margin: 0; display: flex; align-items: center; gap: 8px;
  padding: 8px 10px; border-radius: 999px; border: 0; background: #0f172a; color: #fff; box-shadow: 0 6px 20px rgba(0,0,0,.3);
  font: 13px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.dot { width: 10px; height: 10px; border-radius: 50%; background: #ef4444; }
.paused .dot { background: #f59e0b; }
button { all: initial; font: inherit; color: #fff; padding: 4px 10px; border-radius: 999px; background: #334155; cursor: pointer; }
button.stop { background: #dc2626; }
button:focus-visible { outline: 2px solid #93c5fd; }
`;

export interface ControlHandlers {
  onPause: () => void;
  onResume: () => void;
  onStop: () => void;
}

export class RecordingControl {
  readonly host: HTMLElement;
  private readonly bar: HTMLDivElement;
  private readonly label: HTMLSpanElement;
  private readonly toggle: HTMLButtonElement;
  private paused = false;

  constructor(handlers: ControlHandlers, doc: Document = document) {
    this.host = doc.createElement('stepwise-recorder');
    this.host.setAttribute('style', 'all: initial; position: fixed; z-index: 2147483647;');
    const root = this.host.attachShadow({ mode: 'closed' });
    const style = doc.createElement('style');
    style.textContent = CSS;
    this.bar = doc.createElement('div');
    this.bar.className = 'bar';
    this.bar.setAttribute('popover', 'manual');
    this.bar.setAttribute('role', 'region');
    this.bar.setAttribute('aria-label', 'Stepwise recording');
    const dot = doc.createElement('span');
    dot.className = 'dot';
    this.label = doc.createElement('span');
    this.label.setAttribute('aria-live', 'polite');
    this.toggle = doc.createElement('button');
    this.toggle.type = 'button';
    this.toggle.addEventListener('click', () => (this.paused ? handlers.onResume() : handlers.onPause()));
    const stop = doc.createElement('button');
    stop.type = 'button';
    stop.className = 'stop';
    stop.textContent = 'Stop';
    stop.addEventListener('click', () => handlers.onStop());
    this.bar.append(dot, this.label, this.toggle, stop);
    root.append(style, this.bar);
    (doc.documentElement ?? doc.body).append(this.host);
    try {
      (this.bar as HTMLDivElement & { showPopover(): void }).showPopover();
    } catch {
      /* no popover support: the fixed position and z-index still apply */
    }
    this.update(0, false);
  }

  update(stepCount: number, paused: boolean): void {
    this.paused = paused;
    this.bar.classList.toggle('paused', paused);
    this.label.textContent = `${paused ? 'Paused' : 'Recording'} · ${stepCount} step${stepCount === 1 ? '' : 's'}`;
    this.toggle.textContent = paused ? 'Resume' : 'Pause';
    this.host.dataset.steps = String(stepCount);
    this.host.dataset.paused = String(paused);
  }

  destroy(): void {
    this.host.remove();
  }
}
