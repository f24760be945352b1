import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { popupPageUrl, sitePattern, webOrigin, webUrl } from './urls';

describe('popupPageUrl', () => {
  it('is the extension’s popup page with whole numbers only', () => {
    vi.stubGlobal('chrome', { runtime: { getURL: (p: string) => `chrome-extension://ext/${p}` } });
    expect(popupPageUrl({ tab: 31, start: 5 })).toBe('chrome-extension://ext/popup.html?tab=31&start=5');
    expect(popupPageUrl({ start: 5.7 })).toBe('chrome-extension://ext/popup.html?start=5');
    vi.unstubAllGlobals();
  });
});

describe('webUrl', () => {
  it('passes http and https addresses, normalised', () => {
    expect(webUrl('https://app.example.com/form?x=1#top')).toBe('https://app.example.com/form?x=1#top');
    expect(webUrl('http://intranet.example/')).toBe('http://intranet.example/');
    expect(webUrl('HTTPS://App.Example.com/a')).toBe('https://app.example.com/a');
    expect(webUrl('/orders/7', 'https://app.example.com/form')).toBe('https://app.example.com/orders/7');
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'chrome://settings',
    'chrome-extension://abcdefghijklmnopabcdefghijklmnop/popup.html',
    'about:blank',
    'blob:https://app.example.com/0f0e',
    'vbscript:msgbox(1)',
    'ftp://files.example.com/',
    'not a url',
    '',
  ])('refuses %j', (raw) => {
    expect(webUrl(raw)).toBeNull();
    // A base address never turns another scheme into a web one.
    expect(webUrl(raw, 'https://app.example.com/form')).toBe(raw === 'not a url' ? 'https://app.example.com/not%20a%20url' : null);
  });

  it('refuses what is not a string', () => {
    expect(webUrl(null)).toBeNull();
    expect(webUrl(undefined)).toBeNull();
    expect(webUrl(42 as unknown as string)).toBeNull();
  });
});

// Every place that sends the tab somewhere takes the address from webUrl(): a stored URL never
// reaches location.assign / tabs.update / tabs.create unchecked.
describe('navigation goes through webUrl', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) files.push(full);
    }
  };
  walk(root);

  const NAVIGATIONS = [
    /location\.(?:assign|replace)\(\s*([^)]*?)\s*\)/g,
    /location\.href\s*=(?!=)\s*([^;\n]+)/g,
    /window\.open\(\s*([^,)]+)/g,
    /chrome\.tabs\.(?:update|create)\([^{)]*\{[^}]*?\burl:\s*([^,}\s]+)/g,
  ];

  it('finds the navigations it checks', () => {
    const all = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(all).toMatch(/location\.assign\(/);
    expect(all).toMatch(/chrome\.tabs\.update\(/);
  });

  it.each(files.map((f) => [path.relative(root, f), f]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const unchecked: string[] = [];
    for (const rx of NAVIGATIONS) {
      for (const m of text.matchAll(rx)) {
        const arg = (m[1] ?? '').trim();
        const ident = /^[A-Za-z_$][\w$]*$/.test(arg) ? arg : null;
        const checked = ident !== null && new RegExp(`\\b(?:const|let)\\s+${ident}\\s*=\\s*(?:webUrl|popupPageUrl)\\(`).test(text);
        if (!checked) unchecked.push(m[0]);
      }
    }
    expect(unchecked).toEqual([]);
  });
});

describe('webOrigin and sitePattern', () => {
  it('the origin of a web page only', () => {
    expect(webOrigin('https://App.Example.com:8443/a?b#c')).toBe('https://app.example.com:8443');
    expect(webOrigin('http://127.0.0.1:4000/')).toBe('http://127.0.0.1:4000');
    for (const bad of ['chrome://extensions/', 'file:///etc/passwd', 'about:blank', '', null, undefined]) expect(webOrigin(bad)).toBeNull();
  });

  it('access to one site is every port of its host', () => {
    expect(sitePattern('https://app.example.com:8443')).toBe('https://app.example.com/*');
    expect(sitePattern('http://127.0.0.1:4000')).toBe('http://127.0.0.1/*');
    expect(sitePattern('http://[::1]:3000')).toBe('http://[::1]/*');
  });
});
