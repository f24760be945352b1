// `npm test`: every guide-core suite (pure Vitest and Chromium DOM tests). With JUNIT_DIR set,
// also writes JUnit XML to $JUNIT_DIR/guide-core.xml for `make test`'s summary.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = ['vitest', 'run', ...process.argv.slice(2)];
if (process.env.JUNIT_DIR) {
  args.push('--reporter=default', '--reporter=junit', `--outputFile.junit=${path.resolve(process.env.JUNIT_DIR, 'guide-core.xml')}`);
}
const r = spawnSync('npx', ['--no-install', ...args], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
