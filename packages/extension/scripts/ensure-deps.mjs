// The extension imports two workspace packages that are built, not committed: the API types
// (generated from openapi/openapi.yaml) and guide-core's bundle. Build them when a fresh checkout
// has not yet, so the extension's build and tests also run alone.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const needs = [
  ['packages/api-types/src/generated/schema.ts', 'packages/api-types'],
  ['packages/guide-core/dist/index.js', 'packages/guide-core'],
];
for (const [file, workspace] of needs) {
  if (!existsSync(path.join(root, file))) {
    console.log(`extension: building ${workspace} (${file} is missing)`);
    execSync(`npm run build -w ${workspace} --silent`, { cwd: root, stdio: 'inherit' });
  }
}
