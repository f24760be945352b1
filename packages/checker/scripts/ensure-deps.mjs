// The checker reads two workspace packages that are built, not committed: the API types (generated
// from openapi/openapi.yaml, for the step shapes) and guide-core's IIFE (injected into every page).
// Build them when a fresh checkout has not yet, so the checker's build and tests also run alone.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const needs = [
  ['packages/api-types/src/generated/schema.ts', 'packages/api-types'],
  ['packages/guide-core/dist/guide-core.iife.js', 'packages/guide-core'],
];
for (const [file, workspace] of needs) {
  if (!existsSync(path.join(root, file))) {
    console.log(`checker: building ${workspace} (${file} is missing)`);
    execSync(`npm run build -w ${workspace} --silent`, { cwd: root, stdio: 'inherit' });
  }
}
