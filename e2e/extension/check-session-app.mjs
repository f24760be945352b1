// "Quarry CRM", a small app behind a sign-in, for "Save a session for checks": /login takes any
// email and password (a fake sign-in) and sets a session cookie (HttpOnly, SameSite=Lax, gone with
// the browser) and a preference cookie (a month, SameSite=Strict); /accounts answers only with
// that session, and its script keeps the app's own token in local storage (plus a cache entry
// larger than a check session may hold, which the extension leaves out). Each session cookie and
// token is new: the test reads them back to prove the extension kept none of them.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

const STYLE = `
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #f4f6f8; color: #111827; }
  .bar { height: 52px; display: flex; align-items: center; padding: 0 24px; background: #3f3f46; color: #fff; font-weight: 700; }
  main { max-width: 560px; margin: 40px auto; background: #fff; border: 1px solid #d4d4d8; border-radius: 10px; padding: 24px 28px; }
  label { display: block; margin: 12px 0 4px; font-weight: 600; }
  input { font: inherit; width: 100%; box-sizing: border-box; padding: 6px 8px; border: 1px solid #a1a1aa; border-radius: 6px; }
  button { font: inherit; font-weight: 600; margin-top: 16px; padding: 7px 16px; border-radius: 6px; border: 0; background: #4f46e5; color: #fff; }
  td { padding: 6px 10px 6px 0; }
`;

const layout = (title, body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} — Quarry CRM</title><style>${STYLE}</style></head>
<body><nav class="bar">Quarry CRM</nav><main>${body}</main></body></html>`;

const loginPage = () =>
  layout(
    'Sign in',
    `<h1>Sign in</h1>
  <form method="post" action="/login">
    <label for="email">Email</label><input id="email" name="email" type="email" required>
    <label for="password">Password</label><input id="password" name="password" type="password" required>
    <button type="submit">Sign in</button>
  </form>`,
  );

const accountsPage = (email, token) =>
  layout(
    'Accounts',
    `<h1>Accounts</h1><p id="who">Signed in as ${email.replace(/[<>&"]/g, '')}</p>
  <table><tr><td>Granite Works</td><td>12 open deals</td></tr><tr><td>Slate &amp; Co</td><td>3 open deals</td></tr></table>
  <script>
    localStorage.setItem('quarry.auth', JSON.stringify({ token: ${JSON.stringify(token)}, user: ${JSON.stringify(email)} }));
    localStorage.setItem('quarry.cache', 'x'.repeat(70000));
    document.body.dataset.ready = '1';
  </script>`,
  );

const cookiesOf = (req) => Object.fromEntries((req.headers.cookie ?? '').split(/;\s*/).filter(Boolean).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));

/** Starts the app on 127.0.0.1 (its own port); `sessions` maps each session cookie to its email and token. */
export function startCheckSessionApp() {
  const sessions = new Map();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const html = (status, page, headers = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
      res.end(page);
    };
    if (url.pathname === '/login' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const email = new URLSearchParams(body).get('email') ?? '';
        const sid = randomBytes(16).toString('hex');
        sessions.set(sid, { email, token: `qt_${randomBytes(12).toString('hex')}` });
        res.writeHead(303, {
          location: '/accounts',
          'set-cookie': [`quarry_sid=${sid}; Path=/; HttpOnly; SameSite=Lax`, 'quarry_theme=slate; Path=/; Max-Age=2592000; SameSite=Strict'],
        });
        res.end();
      });
      return;
    }
    if (url.pathname === '/login') return html(200, loginPage());
    if (url.pathname === '/accounts') {
      const s = sessions.get(cookiesOf(req).quarry_sid);
      if (!s) {
        res.writeHead(302, { location: '/login' });
        res.end();
        return;
      }
      return html(200, accountsPage(s.email, s.token));
    }
    res.writeHead(url.pathname === '/' ? 302 : 404, url.pathname === '/' ? { location: '/accounts' } : {});
    res.end();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, sessions, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
