// A small "team settings" web app for the checker's tests, served on 127.0.0.1: a nav of links, a
// tab list, a form, a menu, a members page, a sign-in page for requests without the session
// cookie. `variant` changes it the way a redesign would: 'changed' renames ids, classes and test
// ids and reshapes the markup (stored selectors fail, the element is still clearly there);
// 'removed' drops the "Invite member" button. It records every request it serves.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const SESSION_COOKIE = { name: 'sid', value: 'team-session-7f3a' };

export interface Hit {
  method: string;
  path: string;
  body: string;
  at: number;
}

export interface FixtureApp {
  url: string;
  origin: string;
  hits: Hit[];
  variant: 'base' | 'changed' | 'removed';
  /** Without the session cookie: the sign-in form at the page's own address instead of a redirect. */
  signInInPlace: boolean;
  /** Most /slow requests in flight at once. */
  slowPeak: number;
  posts(): Hit[];
  events(): URLSearchParams[];
  reset(): void;
  close(): Promise<void>;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function page(title: string, body: string, script = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; }
  header { display: flex; gap: 16px; padding: 12px 20px; background: #1f2a44; }
  header a { color: #fff; text-decoration: none; }
  main { padding: 20px; max-width: 760px; }
  [role=tablist] { display: flex; gap: 4px; border-bottom: 1px solid #ccc; margin: 12px 0; }
  [role=tab] { border: 0; background: none; padding: 8px 12px; cursor: pointer; }
  [role=tab][aria-selected=true] { border-bottom: 2px solid #2b59c3; }
  label { display: block; margin: 10px 0 4px; }
  .menu-wrap { position: relative; display: inline-block; margin-top: 16px; }
  [role=menu] { position: absolute; background: #fff; border: 1px solid #ccc; padding: 4px; list-style: none; margin: 0; min-width: 180px; }
  [role=menu] > li > * { display: block; padding: 6px 10px; width: 100%; text-align: left; border: 0; background: none; }
  .banner { background: #e7f6e7; padding: 10px; margin-bottom: 12px; }
  table { border-collapse: collapse; margin-top: 12px; } td { padding: 4px 10px; border-bottom: 1px solid #eee; }
</style></head><body>${body}<script>
  const report = (type, name, value) => fetch('/event?' + new URLSearchParams({ type, name: name || '', value: value || '' }));
  document.addEventListener('input', (e) => report('input', e.target.name || e.target.id));
  document.addEventListener('change', (e) => report('change', e.target.name || e.target.id));
  report('storage', 'team-theme', localStorage.getItem('team-theme'));
  ${script}
</script></body></html>`;
}

function nav(changed: boolean): string {
  if (changed) {
    return `<header class="topbar-2x"><div class="nav-inner"><span class="brand">Acme</span>
      <a class="lnk-a1" href="/settings">Settings</a><a class="lnk-a1" href="/members">Team members</a><a class="lnk-a1" href="/billing">Billing</a></div></header>`;
  }
  return `<header class="topbar"><a id="nav-settings" class="nav-link" href="/settings">Settings</a>
    <a id="nav-members" class="nav-link" href="/members">Members</a><a id="nav-billing" class="nav-link" href="/billing">Billing</a></header>`;
}

const TABS_SCRIPT = `
  for (const tab of document.querySelectorAll('[role=tab]')) {
    tab.addEventListener('click', () => {
      for (const t of document.querySelectorAll('[role=tab]')) {
        const on = t === tab;
        t.setAttribute('aria-selected', String(on));
        document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
      }
    });
  }
  const opener = document.querySelector('[aria-haspopup=menu]');
  const menu = document.getElementById(opener.getAttribute('aria-controls'));
  opener.addEventListener('click', () => {
    const open = menu.hidden;
    menu.hidden = !open;
    opener.setAttribute('aria-expanded', String(open));
  });
  document.querySelector('[data-archive]').addEventListener('click', () => fetch('/archive', { method: 'POST', body: 'archive=1' }));
`;

function settingsPage(variant: FixtureApp['variant'], saved: boolean): string {
  const c = variant === 'changed';
  const id = (base: string, changed: string) => (c ? changed : base);
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo'].map((z) => `<option value="${z}">${z}</option>`).join('');
  const banner = saved ? `<div class="banner" role="status">Settings saved. <a href="/settings/log">View change log</a></div>` : '';
  return page(
    'Team settings',
    `${nav(c)}<main>${banner}<h1>Team settings</h1>
  <div role="tablist" aria-label="Settings sections" class="${id('tabs', 'tb-row')}">
    <button role="tab" id="${id('tab-general', 't-gen-9')}" aria-controls="${id('panel-general', 'p-gen-9')}" aria-selected="true">General</button>
    <button role="tab" id="${id('tab-notifications', 't-not-9')}" aria-controls="${id('panel-notifications', 'p-not-9')}" aria-selected="false">${c ? 'Notification settings' : 'Notifications'}</button>
    <button role="tab" id="${id('tab-security', 't-sec-9')}" aria-controls="${id('panel-security', 'p-sec-9')}" aria-selected="false">Security</button>
  </div>
  <section role="tabpanel" id="${id('panel-general', 'p-gen-9')}" aria-labelledby="${id('tab-general', 't-gen-9')}">
    <form id="${id('team-form', 'frm-x')}" method="post" action="/settings">
      <label for="${id('team-name', 'fld-name-3')}">Team name</label>
      <input id="${id('team-name', 'fld-name-3')}" name="team_name" value="Core team" class="${id('input', 'inp-z')}">
      <label for="${id('team-tz', 'fld-tz-3')}">${c ? 'Timezone' : 'Time zone'}</label>
      <select id="${id('team-tz', 'fld-tz-3')}" name="tz">${zones}</select>
      <p><button type="submit" id="${id('save', 'btn-s-3')}" class="${id('btn primary', 'b-z b-p')}">Save changes</button></p>
    </form>
  </section>
  <section role="tabpanel" id="${id('panel-notifications', 'p-not-9')}" aria-labelledby="${id('tab-notifications', 't-not-9')}" hidden>
    <label><input type="checkbox" name="weekly_summary" id="${id('weekly', 'cb-w-3')}"> Weekly summary email</label>
    <label><input type="checkbox" name="mentions" id="${id('mentions', 'cb-m-3')}" checked> Mentions</label>
  </section>
  <section role="tabpanel" id="${id('panel-security', 'p-sec-9')}" aria-labelledby="${id('tab-security', 't-sec-9')}" hidden>
    <p>Two-factor sign-in is required for everyone.</p>
  </section>
  <div class="menu-wrap">
    <button type="button" id="${id('more', 'm-btn-3')}" aria-haspopup="menu" aria-expanded="false" aria-controls="${id('more-menu', 'mm-3')}">More actions</button>
    <ul role="menu" id="${id('more-menu', 'mm-3')}" hidden>
      <li><a role="menuitem" href="/settings/export">Export settings</a></li>
      <li><button type="button" role="menuitem" data-archive id="${id('archive', 'arc-3')}">Archive team</button></li>
    </ul>
  </div></main>`,
    TABS_SCRIPT,
  );
}

function membersPage(variant: FixtureApp['variant']): string {
  const c = variant === 'changed';
  const invite =
    variant === 'removed'
      ? ''
      : c
        ? `<div class="toolbar-v2"><button type="button" class="ui-btn ui-btn--solid" onclick="fetch('/invite', { method: 'POST' })">Invite a member</button></div>`
        : `<button type="button" id="invite" class="btn primary" data-testid="invite-member" onclick="fetch('/invite', { method: 'POST' })">Invite member</button>`;
  const rows = [
    ['Ada Lovelace', 'Admin'],
    ['Grace Hopper', 'Member'],
    ['Alan Turing', 'Member'],
  ]
    .map(([n, r]) => `<tr><td>${n}</td><td>${r}</td></tr>`)
    .join('');
  return page(
    'Members',
    `${nav(c)}<main><h1>Members</h1>${invite}
    <p><label for="${c ? 'q-2' : 'member-search'}">Search</label><input id="${c ? 'q-2' : 'member-search'}" name="q" type="search" placeholder="Search members"></p>
    <table><tbody>${rows}</tbody></table></main>`,
  );
}

function signInPage(next: string): string {
  return page(
    'Sign in',
    `<main><h1>Sign in to Acme</h1><form method="post" action="/login">
      <input type="hidden" name="next" value="${esc(next)}">
      <label for="user">Email</label><input id="user" name="email" type="email">
      <label for="pw">Password</label><input id="pw" name="password" type="password">
      <p><button type="submit">Sign in</button></p></form></main>`,
  );
}

const HOG_SCRIPT = `
  const keep = [];
  setInterval(() => { for (let i = 0; i < 8; i++) keep.push(new Array(250000).fill(0).map((_, k) => k + Math.random())); }, 50);
`;

export async function startFixtureApp(): Promise<FixtureApp> {
  let slowNow = 0;
  const app: FixtureApp = {
    url: '',
    origin: '',
    hits: [],
    variant: 'base',
    signInInPlace: false,
    slowPeak: 0,
    posts: () => app.hits.filter((h) => h.method === 'POST'),
    events: () => app.hits.filter((h) => h.path.startsWith('/event?')).map((h) => new URLSearchParams(h.path.slice('/event?'.length))),
    reset() {
      app.hits.length = 0;
      app.variant = 'base';
      app.signInInPlace = false;
      app.slowPeak = 0;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      app.hits.push({ method: req.method ?? 'GET', path, body, at: Date.now() });
      void route(app, req, res, path, body, {
        enter: () => {
          slowNow++;
          app.slowPeak = Math.max(app.slowPeak, slowNow);
        },
        leave: () => slowNow--,
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  app.origin = `http://127.0.0.1:${port}`;
  app.url = app.origin;
  return app;
}

async function route(app: FixtureApp, req: http.IncomingMessage, res: http.ServerResponse, path: string, _body: string, slow: { enter(): void; leave(): void }): Promise<void> {
  const url = new URL(path, 'http://x');
  const html = (status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  };
  const signedIn = (req.headers.cookie ?? '').split(/;\s*/).includes(`${SESSION_COOKIE.name}=${SESSION_COOKIE.value}`);
  if (url.pathname === '/event' || url.pathname === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  if (url.pathname === '/login') return html(200, signInPage(url.searchParams.get('next') ?? '/settings'));
  if (url.pathname === '/slow') {
    // Counted while the browser waits for it: a request it gave up on (a check that ended) is not.
    slow.enter();
    let left = false;
    const leave = () => {
      if (!left) slow.leave();
      left = true;
    };
    res.on('close', leave);
    await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms') ?? '1000')));
    leave();
    if (res.destroyed) return;
    return html(200, page('Slow', `<main><h1>Slow page</h1><button type="button" id="go">Go on</button></main>`));
  }
  if (url.pathname === '/widget') {
    // Shown in /embed from another origin (localhost against 127.0.0.1): a cross-origin frame.
    return html(200, page('Payment widget', '<main><p>Card on file: •••• 4242</p><button type="button" id="pay" class="pay-btn">Pay now</button></main>'));
  }
  if (url.pathname === '/hog') return html(200, page('Hog', '<main><h1>Busy page</h1><button type="button">Start</button></main>', HOG_SCRIPT));
  if (!signedIn) {
    if (app.signInInPlace && req.method === 'GET') return html(200, signInPage(url.pathname));
    res.writeHead(302, { location: `/login?next=${encodeURIComponent(url.pathname)}` }).end();
    return;
  }
  if (req.method === 'POST') {
    if (url.pathname === '/settings') {
      res.writeHead(303, { location: '/settings?saved=1' }).end();
      return;
    }
    res.writeHead(204).end();
    return;
  }
  switch (url.pathname) {
    case '/settings':
      return html(200, settingsPage(app.variant, url.searchParams.get('saved') === '1'));
    case '/members':
      return html(200, membersPage(app.variant));
    case '/embed': {
      const port = new URL(app.origin).port;
      return html(200, page('Billing', `${nav(false)}<main><h1>Pay the invoice</h1><iframe title="Payment" src="http://localhost:${port}/widget" width="420" height="160"></iframe></main>`));
    }
    case '/settings/log':
      return html(200, page('Change log', `${nav(app.variant === 'changed')}<main><h1>Change log</h1><p>Team name changed.</p></main>`));
    case '/settings/export':
    case '/billing':
      return html(200, page('Billing', `${nav(app.variant === 'changed')}<main><h1>${url.pathname === '/billing' ? 'Billing' : 'Export'}</h1></main>`));
    default:
      return html(404, page('Not found', '<main><h1>Not found</h1></main>'));
  }
}
