// The dashboard's layering (STYLE.md, after bulletproof-react): shared code (components, lib,
// stores, testing) → features → app. Features never import each other, shared code never imports
// a feature or the app, and nothing renders raw HTML.
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

/** Relative imports of a file, resolved to paths under src/ (e.g. `features/auth/api/auth-api`). */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );
  return specs.filter((s) => s.startsWith('.')).map((s) => path.relative(src, path.resolve(path.dirname(file), s)).split(path.sep).join('/'));
}

const all = files(src).filter((f) => !f.endsWith('architecture.test.ts'));
const rel = (f: string) => path.relative(src, f).split(path.sep).join('/');

describe('architecture', () => {
  it('features do not import each other', () => {
    const problems: string[] = [];
    for (const file of all) {
      const own = rel(file).match(/^features\/([^/]+)\//)?.[1];
      if (!own) continue;
      for (const target of localImports(file)) {
        const other = target.match(/^features\/([^/]+)/)?.[1];
        if (other && other !== own) problems.push(`${rel(file)} imports ${target}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('shared code imports neither features nor the app', () => {
    const problems: string[] = [];
    for (const file of all) {
      const r = rel(file);
      if (!/^(components|lib|stores)\//.test(r)) continue;
      for (const target of localImports(file)) if (/^(features|app)\//.test(target)) problems.push(`${r} imports ${target}`);
    }
    expect(problems).toEqual([]);
  });

  it('features do not import the app', () => {
    const problems = all
      .filter((f) => rel(f).startsWith('features/'))
      .flatMap((f) => localImports(f).filter((t) => t.startsWith('app/')).map((t) => `${rel(f)} imports ${t}`));
    expect(problems).toEqual([]);
  });

  it('nothing renders raw HTML', () => {
    const offenders = all.filter((f) => /dangerouslySetInnerHTML|\.innerHTML\s*=|insertAdjacentHTML/.test(readFileSync(f, 'utf8')));
    expect(offenders.map(rel)).toEqual([]);
  });

  it('the check itself sees imports', () => {
    expect(localImports(path.join(src, 'app/routes.tsx'))).toContain('features/settings/components/settings-page');
  });
});
