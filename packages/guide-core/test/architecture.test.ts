// guide-core is the engine the extension and the checker share (ARCHITECTURE.md): it imports
// nothing of the other packages, only its own files and the dependencies its package.json declares,
// and uses no browser-extension API. The same check as the dashboard's and the extension's
// architecture tests; eslint.config.mjs says it too.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const src = path.join(pkgDir, 'src');
const declared = Object.keys((JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : /\.ts$/.test(name) ? [full] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );
}

/** A file's text without comments (a comment may name what the code must not do). */
const code = (file: string) => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/.*$/gm, '$1');

const all = files(src);
const rel = (f: string) => path.relative(src, f).split(path.sep).join('/');

describe('architecture', () => {
  it('relative imports stay inside src/', () => {
    const problems = all.flatMap((f) =>
      imports(f)
        .filter((s) => s.startsWith('.') && path.relative(src, path.resolve(path.dirname(f), s)).startsWith('..'))
        .map((s) => `${rel(f)} imports ${s}`),
    );
    expect(problems).toEqual([]);
  });

  it('packages come only from its own dependencies (none of ours, no dev dependency)', () => {
    const packageOf = (s: string) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? s));
    const problems = all.flatMap((f) =>
      imports(f)
        .filter((s) => !s.startsWith('.'))
        .filter((s) => !declared.includes(packageOf(s)))
        .map((s) => `${rel(f)} imports ${s}`),
    );
    expect(problems).toEqual([]);
  });

  it('uses no browser-extension API', () => {
    const offenders = all.filter((f) => /\b(chrome|browser)\.(runtime|tabs|storage|scripting|dom)\b/.test(code(f)));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('the check itself sees imports', () => {
    expect(imports(path.join(src, 'index.ts')).length).toBeGreaterThan(5);
    expect(declared).toContain('@medv/finder');
  });
});
