// Builds the two stable outputs other tools rely on:
//   dist/index.js          ES module (Node 20 and bundlers), dependencies bundled in
//   dist/guide-core.iife.js  classic script defining window.StepwiseGuideCore
// Types are emitted by `tsc` into dist/types (see package.json "types").
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  entryPoints: ['src/index.ts'],
  bundle: true,
  target: ['es2022', 'chrome110', 'node20'],
  legalComments: 'none',
  logLevel: 'warning',
};
await build({ ...common, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'], outfile: 'dist/index.js' });
await build({ ...common, format: 'iife', platform: 'browser', globalName: 'StepwiseGuideCore', outfile: 'dist/guide-core.iife.js' });
