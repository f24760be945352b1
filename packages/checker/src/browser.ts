// The one Chromium of the process (Debian's, never a downloaded one), launched again when it goes
// away, and guide-core's IIFE that every page of every check gets.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Containers give /dev/shm 64 MB: a big page would crash the renderer.
  '--disable-dev-shm-usage',
  // Chromium sends loopback addresses past the proxy by default: a check's every request goes
  // through its egress proxy, loopback included.
  '--proxy-bypass-list=<-loopback>',
];

/**
 * guide-core's IIFE as an init script: the installed package's, else the repository's build.
 * Playwright wraps every init script in a function, so the IIFE's top-level `var` would stay local:
 * the global is set explicitly.
 */
export function guideCoreSource(): { file: string; code: string } {
  const tried: string[] = [];
  const candidates: (() => string)[] = [
    () => createRequire(import.meta.url).resolve('@stepwise/guide-core/iife'),
    () => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../guide-core/dist/guide-core.iife.js'),
  ];
  for (const find of candidates) {
    let file = '';
    try {
      file = find();
      return { file, code: `${readFileSync(file, 'utf8')}\n;globalThis.StepwiseGuideCore = StepwiseGuideCore;\n` };
    } catch (e) {
      tried.push(file || (e as Error).message);
    }
  }
  throw new Error(`guide-core's IIFE not found (build packages/guide-core first); tried ${tried.join(', ')}`);
}

/**
 * Holds the browser: `get()` launches it on first use and again after it disconnected (a crash,
 * killed); `onLost` hears of each disconnect so that the checks it ran end.
 */
export class BrowserHost {
  private browser: Browser | null = null;
  private launching: Promise<Browser> | null = null;
  private closing = false;
  private readonly lost = new Set<(b: Browser) => void>();

  constructor(
    private readonly executablePath: string,
    private readonly log: (level: 'info' | 'warn' | 'error', message: string) => void,
  ) {}

  onLost(listener: (b: Browser) => void): () => void {
    this.lost.add(listener);
    return () => this.lost.delete(listener);
  }

  get(): Promise<Browser> {
    if (this.closing) return Promise.reject(new Error('the checker is shutting down'));
    if (this.browser?.isConnected()) return Promise.resolve(this.browser);
    this.launching ??= this.launch().finally(() => {
      this.launching = null;
    });
    return this.launching;
  }

  private async launch(): Promise<Browser> {
    const b = await chromium.launch({ executablePath: this.executablePath, headless: true, args: ARGS, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
    b.on('disconnected', () => {
      if (this.browser === b) this.browser = null;
      if (this.closing) return;
      this.log('error', 'Chromium disconnected; it is launched again for the next check');
      for (const l of this.lost) l(b);
    });
    this.browser = b;
    return b;
  }

  async close(): Promise<void> {
    this.closing = true;
    const b = this.browser ?? (await this.launching?.catch(() => null)) ?? null;
    this.browser = null;
    await b?.close().catch(() => {});
  }
}
