// The extension's layering (STYLE.md; the same check as the dashboard's architecture.test.ts):
// content scripts and the service worker are separate bundles in separate worlds that meet only in
// src/shared (typed messages and the types they carry). Content never imports background code and
// background never imports content code; the popup imports neither and acts through messages;
// src/shared imports no side. eslint.config.mjs says the same for the editor; this test keeps
// `npm test` honest without ESLint.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = path.dirname(fileURLToPath(import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : /\.(ts|tsx)$/.test(name) ? [full] : [];
  });
}

/** Relative imports of a file, resolved to paths under src/ (e.g. `background/api.background`). */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );
  return specs.filter((s) => s.startsWith('.')).map((s) => path.relative(src, path.resolve(path.dirname(file), s)).split(path.sep).join('/'));
}

/** A file's text without comments (a comment may name what the code must not do). */
const code = (file: string) => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');

const all = files(src).filter((f) => !f.endsWith('architecture.test.ts'));
const rel = (f: string) => path.relative(src, f).split(path.sep).join('/');
const side = (p: string) => p.split('/')[0] ?? '';

/** Every import from a file on side `from` that lands on one of the `forbidden` sides. */
function crossings(from: string, forbidden: string[]): string[] {
  return all
    .filter((f) => side(rel(f)) === from)
    .flatMap((f) => localImports(f).filter((t) => forbidden.includes(side(t))).map((t) => `${rel(f)} imports ${t}`));
}

describe('architecture', () => {
  it('content scripts do not import the service worker (or the popup)', () => {
    expect(crossings('content', ['background', 'popup'])).toEqual([]);
  });

  it('the service worker does not import content scripts (or the popup)', () => {
    expect(crossings('background', ['content', 'popup'])).toEqual([]);
  });

  it('the popup imports only its own files and src/shared', () => {
    expect(crossings('popup', ['content', 'background'])).toEqual([]);
  });

  it('src/shared imports no side', () => {
    expect(crossings('shared', ['content', 'background', 'popup'])).toEqual([]);
  });

  it('nothing reaches outside src/ by a relative path (other packages come by their package name)', () => {
    const problems = all.flatMap((f) => localImports(f).filter((t) => t.startsWith('..')).map((t) => `${rel(f)} imports ${t}`));
    expect(problems).toEqual([]);
  });

  it('messages to the service worker go through the typed send() of src/shared/messages.ts', () => {
    const offenders = all.filter((f) => !f.endsWith('.test.ts') && rel(f) !== 'shared/messages.ts' && /chrome\.runtime\.sendMessage\b/.test(code(f)));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('the popup acts through messages: it neither messages tabs, injects scripts nor keeps storage', () => {
    const offenders = all
      .filter((f) => side(rel(f)) === 'popup')
      .filter((f) => /chrome\.(tabs\.sendMessage|scripting|storage|runtime\.connect)\b/.test(code(f)));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('the check itself sees imports', () => {
    expect(localImports(path.join(src, 'background/index.background.ts'))).toContain('shared/messages');
    expect(localImports(path.join(src, 'content/index.content.ts'))).toContain('content/recorder.content');
    expect(localImports(path.join(src, 'popup/store.ts'))).toContain('shared/messages');
    expect(side('background/index.background')).toBe('background');
  });
});
