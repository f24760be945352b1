// @vitest-environment jsdom
// @vitest-environment-options {"url": "https://app.example.com/billing"}
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LauncherGuide } from '../shared/launcher';
import { fixedBoxes, initLauncher, Launcher, type LauncherHandlers } from './launcher.content';

const APP = 'https://app.example.com';
const guides: LauncherGuide[] = [
  { id: 1, name: 'Approve an expense', description: 'Managers only', startingUrl: `${APP}/expenses`, stepCount: 4 },
  { id: 2, name: 'Create an invoice', description: null, startingUrl: `${APP}/billing`, stepCount: 1 },
  { id: 3, name: '<img src=x onerror="window.pwned=1">Export', description: '<b>bold</b>', startingUrl: `${APP}/billing`, stepCount: 2 },
];

function make(over: Partial<LauncherHandlers> = {}) {
  const handlers: LauncherHandlers = {
    start: vi.fn(async () => {}),
    refresh: vi.fn(async () => guides),
    pageUrl: () => `${APP}/billing`,
    ...over,
  };
  const launcher = new Launcher(guides, handlers);
  return { launcher, handlers };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  document.querySelectorAll('stepwise-launcher').forEach((e) => e.remove());
  vi.unstubAllGlobals();
});

describe('the guide launcher', () => {
  it('is a closed button in its own element until opened', () => {
    const { launcher } = make();
    expect(document.querySelector('stepwise-launcher')).toBe(launcher.host);
    expect(launcher.host.shadowRoot).toBeNull(); // closed
    expect(launcher.snapshot()).toMatchObject({ state: 'closed', corner: 'bottom-right' });
    expect(launcher.host.dataset.state).toBe('closed');
  });

  it("opens on its button: focus in the search field, this page's guides first, names as text", async () => {
    const { launcher, handlers } = make();
    launcher.clickButton();
    await flush();
    expect(launcher.host.dataset.state).toBe('open');
    expect(launcher.focused()).toBe('search');
    expect(handlers.refresh).toHaveBeenCalledTimes(1);
    const s = launcher.snapshot();
    expect(s.here).toEqual(['Create an invoice', '<img src=x onerror="window.pwned=1">Export']);
    expect(s.site).toEqual(['Approve an expense']);
    // An admin's markup stays text: nothing was parsed into the page.
    expect(document.querySelector('img, b')).toBeNull();
    expect((window as { pwned?: number }).pwned).toBeUndefined();
  });

  it('filters as the user types, and says when nothing matches', () => {
    const { launcher } = make();
    launcher.clickButton();
    launcher.type('expense');
    expect(launcher.snapshot()).toMatchObject({ here: [], site: ['Approve an expense'], empty: null });
    launcher.type('payroll');
    expect(launcher.snapshot()).toMatchObject({ here: [], site: [], empty: 'No guide matches “payroll”.' });
  });

  it('arrow keys move between the search field and the guides; Escape closes and focus returns to the button', () => {
    const { launcher } = make();
    launcher.clickButton();
    launcher.press('ArrowDown');
    expect(launcher.focused()).toEqual({ guide: 'Create an invoice' });
    launcher.press('ArrowDown');
    launcher.press('ArrowDown');
    expect(launcher.focused()).toEqual({ guide: 'Approve an expense' });
    launcher.press('ArrowDown'); // stays on the last
    expect(launcher.focused()).toEqual({ guide: 'Approve an expense' });
    launcher.press('ArrowUp');
    launcher.press('ArrowUp');
    launcher.press('ArrowUp');
    expect(launcher.focused()).toBe('search');
    launcher.press('Escape');
    expect(launcher.snapshot().state).toBe('closed');
    expect(launcher.focused()).toBe('button');
    expect(document.activeElement).toBe(launcher.host);
  });

  it("keys typed in it do not reach the page's own handlers", () => {
    const { launcher } = make();
    const seen = vi.fn();
    window.addEventListener('keydown', seen);
    launcher.clickButton();
    launcher.press('s');
    window.removeEventListener('keydown', seen);
    expect(seen).not.toHaveBeenCalled();
  });

  it('a click outside closes it without taking focus', () => {
    const { launcher } = make();
    launcher.clickButton();
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true, composed: true }));
    expect(launcher.snapshot().state).toBe('closed');
  });

  it('picking a guide starts it; a refusal is shown in the list', async () => {
    const { launcher, handlers } = make();
    launcher.clickButton();
    expect(launcher.pickByName('Approve an expense')).toBe(true);
    await flush();
    expect(handlers.start).toHaveBeenCalledWith(1);
    expect(launcher.snapshot().state).toBe('closed');

    const failing = make({ start: vi.fn(async () => Promise.reject(new Error('This workflow has no steps.'))) });
    failing.launcher.clickButton();
    failing.launcher.pickByName('Create an invoice');
    await flush();
    expect(failing.launcher.snapshot()).toMatchObject({ state: 'open', error: 'This workflow has no steps.' });
  });

  it('the list opened again is the refreshed one', async () => {
    const { launcher } = make({ refresh: async () => [guides[0]!] });
    launcher.clickButton();
    await flush();
    expect(launcher.snapshot()).toMatchObject({ here: [], site: ['Approve an expense'] });
  });

  it('anchors by the corner it is given', () => {
    const { launcher } = make();
    launcher.applyPlace({ corner: 'top-left', left: 16, top: 80, offsetX: 16, offsetY: 80, free: true });
    expect(launcher.host.dataset.corner).toBe('top-left');
    expect(launcher.snapshot().corner).toBe('top-left');
  });
});

describe('initLauncher', () => {
  function stubWorker(answer: LauncherGuide[] | null) {
    const sent: unknown[] = [];
    vi.stubGlobal('chrome', {
      runtime: {
        sendMessage: async (msg: { type: string }) => {
          sent.push(msg);
          return { ok: true, value: msg.type === 'launcher/guides' ? answer : null };
        },
      },
    });
    return sent;
  }

  it('shows nothing when the worker says this page has no launcher', async () => {
    stubWorker(null);
    expect(await initLauncher(new AbortController().signal)).toBeNull();
    expect(document.querySelector('stepwise-launcher')).toBeNull();
  });

  it('shows the launcher, starts a guide through launcher/start, and goes when its signal aborts', async () => {
    const sent = stubWorker(guides);
    const ctl = new AbortController();
    const launcher = await initLauncher(ctl.signal);
    expect(launcher).not.toBeNull();
    expect(document.querySelector('stepwise-launcher')).not.toBeNull();
    launcher!.clickButton();
    expect(launcher!.pickByName('Approve an expense')).toBe(true);
    await flush();
    expect(sent).toContainEqual({ type: 'launcher/start', workflowId: 1 });
    ctl.abort();
    expect(document.querySelector('stepwise-launcher')).toBeNull();
  });
});

describe('fixedBoxes', () => {
  it('finds the fixed ancestor of what is at a corner, and skips the launcher itself and big shells', () => {
    document.body.innerHTML = '<div id="chat" style="position: fixed"><iframe id="frame"></iframe></div><div id="shell" style="position: fixed"><button id="fab">+</button></div><p id="text">text</p>';
    const own = document.createElement('stepwise-launcher');
    document.body.append(own);
    const at = (id: string) => document.getElementById(id)!;
    const rects: Record<string, DOMRect> = {
      chat: new DOMRect(1180, 700, 80, 80),
      frame: new DOMRect(1180, 700, 80, 80),
      shell: new DOMRect(0, 0, 1280, 800),
      fab: new DOMRect(20, 740, 40, 40),
      text: new DOMRect(0, 0, 100, 20),
    };
    for (const [id, r] of Object.entries(rects)) at(id).getBoundingClientRect = () => r;
    Object.defineProperty(document.documentElement, 'clientWidth', { value: 1280, configurable: true });
    Object.defineProperty(document.documentElement, 'clientHeight', { value: 800, configurable: true });
    // Every probe hits our own element first; bottom-right also the chat's iframe, bottom-left the app shell's button, top-left text.
    document.elementsFromPoint = (x: number, y: number) => {
      const out: Element[] = [own];
      if (x > 640 && y > 400) out.push(at('frame'), at('chat'));
      if (x < 640 && y > 400) out.push(at('fab'), at('shell'));
      if (x < 640 && y < 400) out.push(at('text'), at('shell'));
      return out;
    };
    const boxes = fixedBoxes(document, own, { width: 100, height: 40 });
    expect(boxes).toEqual([{ left: 1180, top: 700, width: 80, height: 80 }, { left: 20, top: 740, width: 40, height: 40 }]);
  });
});
