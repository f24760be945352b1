// ESLint for the TypeScript packages (guide-core, checker, extension, dashboard): the architecture
// (which folder may import which, no import cycles) and obvious bugs. Formatting is not ESLint's
// job here, and neither is taste: a rule belongs in this file when breaking it is a bug or a
// broken layer. Each package runs it with `npm run lint` (`eslint .` from the package).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = path.dirname(fileURLToPath(import.meta.url));
const pkg = (name, ...rest) => path.posix.join('packages', name, ...rest);

/** The dashboard's features, each a folder under src/features that no other feature may import. */
const dashboardFeatures = readdirSync(path.join(root, pkg('dashboard', 'src/features')), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/** `import-x/no-restricted-paths` with paths relative to the repository root, whatever the cwd. */
const restrictedPaths = (zones) => ['error', { basePath: root, zones }];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'packages/api-types/**', 'build/**'],
  },
  {
    files: ['packages/{guide-core,checker,extension,dashboard}/**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node },
    },
    settings: {
      // What import-x's TypeScript preset sets, so that it parses .ts/.tsx files when it follows
      // imports (without these, no-cycle silently sees no TypeScript module at all).
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/external-module-folders': importX.flatConfigs.typescript.settings['import-x/external-module-folders'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          noWarnOnMultipleProjects: true,
          project: [pkg('guide-core', 'tsconfig.test.json'), pkg('checker', 'tsconfig.test.json'), pkg('extension', 'tsconfig.json'), pkg('dashboard', 'tsconfig.json')].map((p) =>
            path.join(root, p),
          ),
        }),
      ],
    },
    rules: {
      // Architecture, everywhere.
      'import-x/no-cycle': 'error',
      'import-x/no-self-import': 'error',
      // TypeScript already reports undefined names, with the real types and globals.
      'no-undef': 'off',
      // Obvious bugs, not taste: an unused variable is kept (underscore names are deliberate).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // guide-core is the shared engine: no other package of ours, and no browser-extension APIs.
    files: [pkg('guide-core', '**/*.ts')],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@stepwise/*'], message: 'guide-core imports nothing from the other packages.' }] },
      ],
      'import-x/no-restricted-paths': restrictedPaths([
        {
          target: pkg('guide-core'),
          from: [pkg('extension'), pkg('dashboard'), pkg('api-types'), pkg('server')],
          message: 'guide-core imports nothing from the other packages.',
        },
      ]),
      'no-restricted-globals': [
        'error',
        { name: 'chrome', message: 'guide-core uses no browser-extension APIs (the extension passes what it needs).' },
        { name: 'browser', message: 'guide-core uses no browser-extension APIs (the extension passes what it needs).' },
      ],
    },
  },
  {
    // The checker drives Chromium for the server: guide-core runs in the page (its IIFE), the
    // contract's types describe the steps; nothing of the extension or the dashboard.
    files: [pkg('checker', '**/*.ts')],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@stepwise/extension', '@stepwise/extension/*', '@stepwise/dashboard', '@stepwise/dashboard/*'], message: 'The checker imports neither the extension nor the dashboard.' },
          ],
        },
      ],
      'import-x/no-restricted-paths': restrictedPaths([
        {
          target: pkg('checker'),
          from: [pkg('extension'), pkg('dashboard'), pkg('server')],
          message: 'The checker imports neither the extension nor the dashboard (the server speaks to it in JSON lines).',
        },
      ]),
    },
  },
  {
    // Functions Playwright runs in the page are sent as their source: an import they used would
    // not be there. Types only.
    files: [pkg('checker', 'src/in-page.ts')],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['*'], allowTypeImports: true, message: 'in-page.ts runs in the page: type imports only.' }] }],
    },
  },
  {
    // The extension: content scripts and the service worker meet only in src/shared (typed
    // messages); the popup talks to the worker through messages; shared imports no side.
    files: [pkg('extension', '**/*.{ts,tsx}')],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@stepwise/dashboard', '@stepwise/dashboard/*'], message: 'The extension does not import the dashboard.' }] },
      ],
      'import-x/no-restricted-paths': restrictedPaths([
        {
          target: pkg('extension', 'src/content'),
          from: [pkg('extension', 'src/background'), pkg('extension', 'src/popup')],
          message: 'Content scripts reach the service worker through messages (src/shared/messages.ts), never by import.',
        },
        {
          target: pkg('extension', 'src/background'),
          from: [pkg('extension', 'src/content'), pkg('extension', 'src/popup')],
          message: 'The service worker reaches content scripts through messages (src/shared/messages.ts), never by import.',
        },
        {
          target: pkg('extension', 'src/popup'),
          from: [pkg('extension', 'src/content'), pkg('extension', 'src/background')],
          message: 'The popup talks to the service worker through messages (src/shared/messages.ts) only.',
        },
        {
          target: pkg('extension', 'src/shared'),
          from: [pkg('extension', 'src/content'), pkg('extension', 'src/background'), pkg('extension', 'src/popup')],
          message: 'src/shared is imported by every side and imports none of them.',
        },
      ]),
    },
  },
  {
    // The dashboard (STYLE.md, after bulletproof-react): shared → features → app; features do not
    // import each other. src/testing is test scaffolding and may reach everything.
    files: [pkg('dashboard', '**/*.{ts,tsx}')],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@stepwise/extension', '@stepwise/extension/*'], message: 'The dashboard does not import the extension.' }] },
      ],
      'import-x/no-restricted-paths': restrictedPaths([
        ...dashboardFeatures.map((feature) => ({
          target: pkg('dashboard', 'src/features', feature),
          from: pkg('dashboard', 'src/features'),
          except: [`./${feature}`],
          message: 'Features do not import each other: move what both need to components/, lib/ or stores/, or compose them in app/.',
        })),
        {
          target: pkg('dashboard', 'src/features'),
          from: pkg('dashboard', 'src/app'),
          message: 'Features do not import the app (the direction is shared → features → app).',
        },
        {
          target: ['components', 'lib', 'stores'].map((dir) => pkg('dashboard', 'src', dir)),
          from: [pkg('dashboard', 'src/features'), pkg('dashboard', 'src/app')],
          message: 'Shared code imports neither features nor the app (the direction is shared → features → app).',
        },
      ]),
    },
  },
  {
    // React: the two hook rules whose breach is a bug (a hook called conditionally, an effect that
    // reads a stale value).
    files: [pkg('extension', 'src/popup/**/*.tsx'), pkg('dashboard', '**/*.{ts,tsx}')],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);
