// The API types are generated from openapi/openapi.yaml (never committed). Generate them when a
// fresh checkout has not built packages/api-types yet, so the dashboard's build and tests run alone.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const schema = path.join(root, 'packages/api-types/src/generated/schema.ts');
if (!existsSync(schema)) {
  console.log('dashboard: generating @stepwise/api-types from openapi/openapi.yaml');
  execSync('npm run build -w packages/api-types --silent', { cwd: root, stdio: 'inherit' });
}
