// `npm test`: the checker's suites (pure rules, and the built checker driven over stdio against a
// fixture app in real Chromium). Builds dist/ first: the end-to-end tests spawn dist/main.js. With
// JUNIT_DIR set, also writes JUnit XML to $JUNIT_DIR/checker.xml for `make test`'s summary.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = spawnSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const args = ['vitest', 'run', ...process.argv.slice(2)];
if (process.env.JUNIT_DIR) {
  args.push('--reporter=default', '--reporter=junit', `--outputFile.junit=${path.resolve(process.env.JUNIT_DIR, 'checker.xml')}`);
}
const r = spawnSync('npx', ['--no-install', ...args], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
