// "Brightwater Rota", the app the scheduled-checks suite (checks.mjs) records on and checks: a
// shift planner for a small café group behind a sign-in. /login takes any email and password and
// sets a server-side session (an HttpOnly cookie); every other page answers only with a live
// session and sends the visitor to /login?next=… without one. Three pages carry the workflow:
//   /board        — the main nav (Board, Shifts, Team);
//   /shifts       — tabs (This week / Next week), a Filters disclosure, the New shift link;
//   /shifts/new   — a form: title, site (select), start, notes, a checkbox, Create shift;
//   /team         — the team, each person a link.
// The test drives the app through its own endpoints (POST, under /__fixture/):
//   version?v=original|changed — the release that breaks the recording: on /shifts the "New shift"
//     link is renamed (id new-shift-link, "Plan a new shift"), restyled and moved into the page
//     heading, so none of its recorded selectors finds it, yet it is still the one link to
//     /shifts/new: a clear winner for healing (guide-core scores it 87, the next candidate 53);
//     and the Filters disclosure is gone (nothing on the page scores above 50 for it);
//   expire-sessions — forgets every server-side session (a signed-in browser is signed out);
//   slow?ms=N — every page answers N ms late (0: at once).
// `hits` counts the pages served per path (with a live session or not) for the test to read.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

const STYLE = `
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #f3f5f2; color: #1c2421; }
  header.app { display: flex; align-items: center; gap: 28px; height: 56px; padding: 0 28px; background: #17453b; color: #f4f1e8; }
  header.app .brand { font-weight: 700; letter-spacing: .02em; }
  header.app nav a { color: #f4f1e8; text-decoration: none; margin-right: 18px; padding: 4px 2px; }
  header.app nav a[aria-current="page"] { border-bottom: 2px solid #f2c14e; }
  header.app .who { margin-left: auto; font-size: 13px; opacity: .85; }
  main { max-width: 860px; margin: 28px auto; padding: 0 20px; }
  .panel { background: #fff; border: 1px solid #d5ddd8; border-radius: 10px; padding: 20px 24px; margin-bottom: 18px; }
  h1 { font-size: 24px; margin: 0 0 14px; display: flex; align-items: center; gap: 16px; }
  .toolbar { display: flex; align-items: flex-start; gap: 14px; margin-bottom: 16px; }
  .toolbar .spacer { flex: 1; }
  a.primary { display: inline-block; background: #17453b; color: #fff; text-decoration: none; padding: 7px 16px; border-radius: 6px; font-weight: 600; }
  a.ghost { font-size: 14px; color: #17453b; border: 1px dashed #17453b; padding: 3px 10px; border-radius: 14px; text-decoration: none; }
  details.filters { border: 1px solid #d5ddd8; border-radius: 6px; padding: 6px 12px; background: #fafbf9; }
  details.filters summary { cursor: pointer; font-weight: 600; }
  [role=tablist] { display: flex; gap: 4px; border-bottom: 1px solid #d5ddd8; margin-bottom: 12px; }
  [role=tab] { font: inherit; background: none; border: 0; padding: 8px 14px; cursor: pointer; border-bottom: 3px solid transparent; }
  [role=tab][aria-selected=true] { border-bottom-color: #f2c14e; font-weight: 600; }
  table { width: 100%; border-collapse: collapse; } td, th { text-align: left; padding: 6px 8px; border-bottom: 1px solid #eef1ee; }
  form .field { margin: 0 0 14px; } form label { display: block; font-weight: 600; margin-bottom: 4px; }
  form input[type=text], form select, form textarea { font: inherit; width: 100%; padding: 7px 9px; border: 1px solid #a9b7b0; border-radius: 6px; background: #fff; }
  form .check { display: flex; gap: 8px; align-items: center; font-weight: 400; }
  button.submit { font: inherit; font-weight: 600; padding: 8px 18px; border-radius: 6px; border: 0; background: #c2562f; color: #fff; cursor: pointer; }
  .cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 14px; }
  .card { background: #fff; border: 1px solid #d5ddd8; border-radius: 10px; padding: 14px 16px; }
  .card b { display: block; font-size: 26px; }
  .notice { background: #e6f2ec; border: 1px solid #9cc9b4; padding: 8px 12px; border-radius: 6px; margin-bottom: 14px; }
`;

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function layout(title, current, who, body, script = '') {
  const link = (href, label) => `<a href="${href}"${current === href ? ' aria-current="page"' : ''}>${label}</a>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} — Brightwater Rota</title><style>${STYLE}</style></head>
<body><header class="app"><span class="brand">Brightwater Rota</span>
  <nav aria-label="Main">${link('/board', 'Board')}${link('/shifts', 'Shifts')}${link('/team', 'Team')}</nav>
  <span class="who">${esc(who)}</span></header>
<main>${body}</main>${script ? `<script>${script}</script>` : ''}</body></html>`;
}

const loginPage = (next) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in — Brightwater Rota</title><style>${STYLE}</style></head>
<body><header class="app"><span class="brand">Brightwater Rota</span></header>
<main><div class="panel" style="max-width:420px;margin:40px auto"><h1>Sign in</h1>
  <form method="post" action="/login">
    <input type="hidden" name="next" value="${esc(next)}">
    <div class="field"><label for="email">Email</label><input id="email" name="email" type="text" autocomplete="username"></div>
    <div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password"></div>
    <button type="submit" class="submit">Sign in</button>
  </form></div></main></body></html>`;

const board = (who, shifts) =>
  layout(
    'Board',
    '/board',
    who,
    `<h1>This week at Brightwater</h1>
  <div class="cards">
    <div class="card"><b>${shifts.filter((s) => s.week === 'this').length}</b>shifts this week</div>
    <div class="card"><b>${shifts.filter((s) => s.open).length}</b>open shifts</div>
    <div class="card"><b>3</b>sites</div>
  </div>`,
  );

function shiftsPage(who, shifts, version, created) {
  const rows = (week) =>
    shifts
      .filter((s) => s.week === week)
      .map((s) => `<tr><td>${esc(s.title)}</td><td>${esc(s.site)}</td><td>${esc(s.start)}</td><td>${s.open ? 'Open' : 'Filled'}</td></tr>`)
      .join('');
  const table = (week) => `<table><thead><tr><th>Shift</th><th>Site</th><th>Start</th><th>State</th></tr></thead><tbody>${rows(week)}</tbody></table>`;
  const tabs = `<div role="tablist" aria-label="Weeks">
      <button role="tab" id="tab-this" aria-controls="panel-this" aria-selected="true">This week</button>
      <button role="tab" id="tab-next" aria-controls="panel-next" aria-selected="false">Next week</button>
    </div>
    <div role="tabpanel" id="panel-this" aria-labelledby="tab-this">${table('this')}</div>
    <div role="tabpanel" id="panel-next" aria-labelledby="tab-next" hidden>${table('next')}</div>`;
  const script = `
    for (const tab of document.querySelectorAll('[role=tab]')) tab.addEventListener('click', () => {
      for (const t of document.querySelectorAll('[role=tab]')) {
        t.setAttribute('aria-selected', String(t === tab));
        document.getElementById(t.getAttribute('aria-controls')).hidden = t !== tab;
      }
    });`;
  const notice = created ? `<p class="notice" role="status">Shift created.</p>` : '';
  if (version === 'original') {
    return layout(
      'Shifts',
      '/shifts',
      who,
      `<h1>Shifts</h1>${notice}
    <div class="toolbar">
      <details class="filters" id="filters"><summary>Filters</summary>
        <label><input type="checkbox" name="only_open"> Only open shifts</label></details>
      <span class="spacer"></span>
      <a id="new-shift" class="primary" href="/shifts/new">New shift</a>
    </div>
    <div class="panel">${tabs}</div>`,
      script,
    );
  }
  // The release: the Filters disclosure is gone; "New shift" became a small pill in the heading.
  return layout(
    'Shifts',
    '/shifts',
    who,
    `<h1>Shifts <a id="new-shift-link" class="ghost" href="/shifts/new">Plan a new shift</a></h1>${notice}
    <div class="panel">${tabs}</div>`,
    script,
  );
}

const newShiftPage = (who) =>
  layout(
    'New shift',
    '/shifts',
    who,
    `<h1>New shift</h1>
  <div class="panel"><form id="shift-form" method="post" action="/shifts">
    <div class="field"><label for="shift-title">Title</label><input type="text" id="shift-title" name="title" placeholder="e.g. Evening bar"></div>
    <div class="field"><label for="shift-site">Site</label><select id="shift-site" name="site">
      <option value="">Choose a site…</option><option>Harbour kitchen</option><option>Market stall</option><option>Riverside café</option></select></div>
    <div class="field"><label for="shift-start">Starts at</label><input type="text" id="shift-start" name="start" placeholder="HH:MM"></div>
    <div class="field"><label for="shift-notes">Notes for the team</label><textarea id="shift-notes" name="notes" rows="3"></textarea></div>
    <div class="field"><label class="check"><input type="checkbox" id="shift-open" name="open"> Leave it open for anyone to take</label></div>
    <button type="submit" class="submit" id="create-shift">Create shift</button>
  </form></div>`,
  );

const TEAM = [
  { id: 1, name: 'Imogen Hale', role: 'Head chef' },
  { id: 2, name: 'Tobias Quinn', role: 'Barista' },
  { id: 3, name: 'Priya Nand', role: 'Front of house' },
];

const teamPage = (who) =>
  layout(
    'Team',
    '/team',
    who,
    `<h1>Team</h1><div class="panel"><table><tbody>${TEAM.map((p) => `<tr><td><a href="/team/${p.id}">${esc(p.name)}</a></td><td>${esc(p.role)}</td></tr>`).join('')}</tbody></table></div>`,
  );

const personPage = (who, p) => layout(p.name, '/team', who, `<h1>${esc(p.name)}</h1><div class="panel"><p>${esc(p.role)} · works at every site.</p></div>`);

const cookiesOf = (req) => Object.fromEntries((req.headers.cookie ?? '').split(/;\s*/).filter(Boolean).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));

function readForm(req) {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => resolve(new URLSearchParams(body)));
  });
}

/** Starts the app on 127.0.0.1 (a port of its own). */
export function startChecksApp() {
  const state = {
    version: 'original',
    slowMs: 0,
    sessions: new Map(),
    /** Pages served: path → { signedIn, signedOut }. */
    hits: new Map(),
    shifts: [
      { title: 'Morning bar', site: 'Riverside café', start: '07:00', week: 'this', open: false },
      { title: 'Lunch line', site: 'Harbour kitchen', start: '11:30', week: 'this', open: true },
      { title: 'Saturday market', site: 'Market stall', start: '08:00', week: 'next', open: true },
    ],
    posts: [],
  };
  const count = (p, signedIn) => {
    const h = state.hits.get(p) ?? { signedIn: 0, signedOut: 0 };
    h[signedIn ? 'signedIn' : 'signedOut']++;
    state.hits.set(p, h);
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
      res.end(body);
    };
    const redirect = (location, headers = {}) => {
      res.writeHead(303, { location, 'cache-control': 'no-store', ...headers });
      res.end();
    };

    if (url.pathname.startsWith('/__fixture/')) {
      if (req.method !== 'POST') return send(405, 'POST only');
      const what = url.pathname.slice('/__fixture/'.length);
      if (what === 'version' && ['original', 'changed'].includes(url.searchParams.get('v'))) state.version = url.searchParams.get('v');
      else if (what === 'expire-sessions') state.sessions.clear();
      else if (what === 'slow' && /^\d+$/.test(url.searchParams.get('ms') ?? '')) state.slowMs = Number(url.searchParams.get('ms'));
      else return send(400, 'unknown fixture switch');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ version: state.version, slowMs: state.slowMs, sessions: state.sessions.size }));
      return;
    }
    if (url.pathname === '/favicon.ico') return send(404, '');
    if (state.slowMs > 0) await new Promise((r) => setTimeout(r, state.slowMs));

    if (url.pathname === '/login') {
      if (req.method === 'POST') {
        const form = await readForm(req);
        const sid = randomBytes(18).toString('base64url');
        state.sessions.set(sid, { email: form.get('email') || 'someone' });
        const next = form.get('next');
        return redirect(next && next.startsWith('/') && !next.startsWith('//') ? next : '/board', { 'set-cookie': `brightwater_sid=${sid}; Path=/; HttpOnly; SameSite=Lax` });
      }
      count('/login', false);
      return send(200, loginPage(url.searchParams.get('next') ?? '/board'));
    }

    const session = state.sessions.get(cookiesOf(req).brightwater_sid);
    count(url.pathname, !!session);
    if (!session) return redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
    const who = `Signed in as ${session.email}`;
    if (url.pathname === '/' || url.pathname === '/board') return send(200, board(who, state.shifts));
    if (url.pathname === '/shifts' && req.method === 'POST') {
      const form = await readForm(req);
      state.posts.push(form);
      state.shifts.push({ title: form.get('title') || 'Untitled', site: form.get('site') || '—', start: form.get('start') || '—', week: 'next', open: form.has('open') });
      return redirect(`/shifts?created=${state.shifts.length}`);
    }
    if (url.pathname === '/shifts') return send(200, shiftsPage(who, state.shifts, state.version, url.searchParams.has('created')));
    if (url.pathname === '/shifts/new') return send(200, newShiftPage(who));
    if (url.pathname === '/team') return send(200, teamPage(who));
    const person = /^\/team\/(\d+)$/.exec(url.pathname);
    const p = person && TEAM.find((t) => t.id === Number(person[1]));
    if (p) return send(200, personPage(who, p));
    return send(404, layout('Not found', '', who, '<h1>Not found</h1>'));
  });

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, state, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
