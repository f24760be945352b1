// Builds the unpacked extension into dist/ in three Vite passes, because MV3 loads each part
// differently: the popup is a page (ES modules, chunks allowed), the service worker is one ES
// module, and the content script must be one classic script (content scripts cannot import).
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist');
const common = {
  root,
  configFile: false,
  logLevel: 'warn',
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
};
const target = 'chrome116';

// 1. Popup (React + Tailwind) and the static files (manifest.json).
await build({
  ...common,
  plugins: [react()],
  base: './',
  publicDir: path.join(root, 'public'),
  build: {
    outDir,
    emptyOutDir: true,
    target,
    sourcemap: false,
    modulePreload: false,
    rollupOptions: { input: path.join(root, 'popup.html') },
  },
});

// 2. Service worker: one ES module.
// 3. Content script: one IIFE.
for (const [entry, fileName, format] of [
  ['src/background/index.background.ts', 'background.js', 'es'],
  ['src/content/index.content.ts', 'content.js', 'iife'],
]) {
  await build({
    ...common,
    publicDir: false,
    build: {
      outDir,
      emptyOutDir: false,
      target,
      sourcemap: false,
      minify: true,
      lib: { entry: path.join(root, entry), formats: [format], fileName: () => fileName, name: 'StepwiseContent' },
    },
  });
}

const manifest = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
console.log(`extension: built ${manifest.name} ${manifest.version} (MV3) into ${path.relative(process.cwd(), outDir) || outDir}`);
