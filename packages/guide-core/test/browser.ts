// Debian's Chromium driven by puppeteer-core (never a downloaded browser).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain ES module without types
import { startServer } from '../fixtures/server.mjs';

declare global {
  interface Window {
    StepwiseGuideCore: typeof import('../src/index.js');
  }
}

export const IIFE = fileURLToPath(new URL('../dist/guide-core.iife.js', import.meta.url));

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export interface Env {
  browser: Browser;
  base: string;
  close(): Promise<void>;
}

export async function openEnv(): Promise<Env> {
  if (!fs.existsSync(IIFE)) throw new Error(`${IIFE} missing: run \`npm run build\` first`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gc-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    userDataDir,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  const server = await startServer();
  return {
    browser,
    base: server.url,
    async close() {
      await browser.close();
      await server.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Open a fixture page with the guide-core IIFE loaded into it (and into same-origin frames). */
export async function openPage(env: Env, pathname: string): Promise<Page> {
  const page = await env.browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const code = fs.readFileSync(IIFE, 'utf8');
  await page.evaluateOnNewDocument(code);
  await page.goto(env.base + pathname, { waitUntil: 'load' });
  return page;
}
