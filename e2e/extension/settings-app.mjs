// A small web app for the spotlight's contrast: "Larkspur", a team-profile form whose fields draw
// their own strong blue focus ring (the ring a spotlight of the same blue disappears into). One page
// in two themes at the same address, switched by the test: light (white panel on a pale page) and
// dark (a navy panel on a near-black blue page).
import http from 'node:http';

const THEMES = {
  light: { page: '#eef2f7', panel: '#ffffff', text: '#0f172a', muted: '#475569', field: '#ffffff', border: '#cbd5e1', bar: '#ffffff' },
  dark: { page: '#0a1228', panel: '#14213f', text: '#e2e8f0', muted: '#94a3b8', field: '#0d1833', border: '#2c3e66', bar: '#0d1833' },
};

function profile(theme) {
  const t = THEMES[theme];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Team profile — Larkspur</title>
<style>
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: ${t.page}; color: ${t.text}; }
  .bar { height: 52px; display: flex; align-items: center; padding: 0 24px; background: ${t.bar}; border-bottom: 1px solid ${t.border}; font-weight: 600; }
  .panel { max-width: 560px; margin: 40px auto; background: ${t.panel}; border: 1px solid ${t.border}; border-radius: 12px; padding: 24px 28px; }
  .panel h1 { font-size: 20px; margin: 0 0 4px; } .panel p { margin: 0 0 20px; color: ${t.muted}; }
  .field { display: grid; gap: 6px; margin: 0 0 18px; }
  .field input { font: inherit; padding: 9px 12px; border-radius: 6px; border: 1px solid ${t.border}; background: ${t.field}; color: ${t.text}; }
  /* The app's own focus ring: what a spotlight drawn in the same blue is lost in. */
  .field input:focus { outline: none; border-color: #2563eb; box-shadow: 0 0 0 3px #3b82f6; }
  .actions { display: flex; justify-content: flex-end; }
  .actions button { font: inherit; font-weight: 600; padding: 9px 18px; border-radius: 6px; border: 0; background: #2563eb; color: #fff; }
</style></head>
<body><div class="bar">Larkspur</div>
<main class="panel"><h1>Team profile</h1><p>How your team appears to customers.</p>
  <form id="profile" method="post" action="/profile">
    <div class="field"><label for="team_name">Team name</label><input id="team_name" name="team_name" autocomplete="off"></div>
    <div class="field"><label for="support_hours">Support hours</label><input id="support_hours" name="support_hours" autocomplete="off"></div>
    <div class="actions"><button id="save_profile" type="submit">Save profile</button></div>
  </form></main></body></html>`;
}

/** Starts the app on 127.0.0.1; `setTheme('light' | 'dark')` switches the page. */
export function startSettingsApp() {
  let theme = 'light';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'POST' && url.pathname === '/profile') {
      req.resume();
      req.on('end', () => {
        res.writeHead(303, { location: '/profile' });
        res.end();
      });
      return;
    }
    if (url.pathname === '/profile') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(profile(theme));
      return;
    }
    res.writeHead(404);
    res.end('not found');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        setTheme: (t) => {
          theme = t;
        },
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}
