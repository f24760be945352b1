// The pieces of the dashboard's end-to-end run: the real server in a temp dir, a static server for
// the built dashboard (only while `stepwise serve` does not serve it at `/` itself), a server for the
// fixture web app the workflows are recorded on, steps recorded as JUnit test cases (a step may
// skip itself with a reason), and screenshots.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const webDir = path.join(repoRoot, 'build/web');
export const dashboardDir = path.join(webDir, 'dashboard');
export const screenshotDir = path.join(repoRoot, 'build/e2e-screenshots/dashboard');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `build/stepwise serve` on a free port with its own SQLite database; resolves once healthy. */
export async function startServer() {
  const binary = path.join(repoRoot, 'build/stepwise');
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run scripts/build-server.sh release first`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stepwise-e2e-dashboard-'));
  const port = await freePort();
  const logPath = path.join(dataDir, 'server.log');
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:///${path.join(dataDir, 'app.db')}`,
    BCRYPT_COST: '4',
    RATE_LIMIT_AUTH_PER_MIN: '0',
    RATE_LIMIT_USER_PER_MIN: '0',
    WEB_DIR: webDir,
  };
  const child = spawn(binary, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = [];
  child.stdout.on('data', (d) => log.push(d));
  child.stderr.on('data', (d) => log.push(d));
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`stepwise serve exited early (${JSON.stringify(exited)}):\n${Buffer.concat(log).toString()}`);
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`stepwise serve did not become healthy:\n${Buffer.concat(log).toString()}`);
    await sleep(100);
  }
  return {
    base,
    port,
    dataDir,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        for (let i = 0; i < 50 && !exited; i++) await sleep(100);
        if (!exited) child.kill('SIGKILL');
      }
      writeFileSync(logPath, Buffer.concat(log));
      return logPath;
    },
  };
}

/** Does the real server serve the built dashboard at `/` and fall back to it for app routes? */
export async function serverServesDashboard(base) {
  try {
    const marker = 'stepwise-dashboard';
    const root = await fetch(`${base}/`);
    const deep = await fetch(`${base}/join/some-token`);
    return root.ok && (await root.text()).includes(marker) && deep.ok && (await deep.text()).includes(marker);
  } catch {
    return false;
  }
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** Serves build/web/dashboard with a single-page-app fallback and proxies /api to the real server. */
export async function startStaticServer(apiBase) {
  const api = new URL(apiBase);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/api/') || url.pathname === '/api') {
      const upstream = http.request(
        { hostname: api.hostname, port: api.port, path: req.url, method: req.method, headers: { ...req.headers, host: api.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502).end();
      });
      req.pipe(upstream);
      return;
    }
    let file = path.join(dashboardDir, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(dashboardDir) || !existsSync(file) || !statSync(file).isFile()) file = path.join(dashboardDir, 'index.html');
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(r)) };
}

export const fixtureDir = path.join(repoRoot, 'e2e/dashboard/fixture');

/** Serves e2e/dashboard/fixture: the "customer web app" workflows are recorded on and replayed against. */
export async function startFixtureServer() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = path.join(fixtureDir, path.basename(decodeURIComponent(url.pathname)) || 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(r)) };
}

/** Steps of the run, written as JUnit test cases. */
export class Steps {
  constructor(suite) {
    this.suite = suite;
    this.cases = [];
    this.failed = false;
  }

  async step(name, fn) {
    const started = Date.now();
    if (this.failed) {
      this.cases.push({ name, time: 0, skipped: true });
      console.log(`- skip ${name}`);
      return;
    }
    try {
      await fn();
      this.cases.push({ name, time: (Date.now() - started) / 1000 });
      console.log(`✓ ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      // A step passes or fails: there is no "not there yet".
      this.failed = true;
      this.cases.push({ name, time: (Date.now() - started) / 1000, error: e });
      console.log(`✗ ${name}\n${e?.stack ?? e}`);
    }
  }

  writeJunit(file) {
    const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const failures = this.cases.filter((c) => c.error).length;
    const skipped = this.cases.filter((c) => c.skipped).length;
    const time = this.cases.reduce((t, c) => t + c.time, 0);
    const body = this.cases
      .map((c) => {
        const open = `  <testcase classname="${esc(this.suite)}" name="${esc(c.name)}" time="${c.time.toFixed(3)}"`;
        if (c.skipped) return c.reason ? `${open}><skipped message="${esc(c.reason)}"/></testcase>` : `${open}><skipped/></testcase>`;
        if (c.error) return `${open}><failure message="${esc(c.error.message ?? c.error)}">${esc(c.error.stack ?? c.error)}</failure></testcase>`;
        return `${open}/>`;
      })
      .join('\n');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(
      file,
      `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${this.cases.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">\n<testsuite name="${esc(this.suite)}" tests="${this.cases.length}" failures="${failures}" skipped="${skipped}" time="${time.toFixed(3)}">\n${body}\n</testsuite>\n</testsuites>\n`,
    );
  }
}

export function resetScreenshots() {
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });
}

export function readIndexHtml() {
  return readFileSync(path.join(dashboardDir, 'index.html'), 'utf8');
}
