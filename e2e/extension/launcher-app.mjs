// A small helpdesk for the guide launcher: "Harbor Desk", a ticket list and a reports page, with
// the kind of chat widget apps carry — a round "Chat with support" bubble fixed in the bottom-right
// corner — which the launcher must never cover. The same app is started twice by the test: once on
// the origin that has guides, once on one that has none.
import http from 'node:http';

const STYLE = `
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #f5f7fa; color: #0f172a; }
  .bar { height: 56px; display: flex; align-items: center; gap: 24px; padding: 0 24px; background: #0e7490; color: #fff; font-weight: 700; }
  .bar a { color: #cffafe; font-weight: 500; text-decoration: none; }
  .bar a:focus-visible, button:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  main { max-width: 760px; margin: 32px auto; background: #fff; border: 1px solid #d5dbe3; border-radius: 12px; padding: 24px 28px; }
  h1 { font-size: 21px; margin: 0 0 16px; }
  table { width: 100%; border-collapse: collapse; }
  td, th { text-align: left; padding: 10px 6px; border-bottom: 1px solid #e5e7eb; }
  button { font: inherit; font-weight: 600; padding: 6px 14px; border-radius: 6px; border: 1px solid #94a3b8; background: #fff; color: #0f172a; }
  .status { font-weight: 600; color: #0e7490; }
  /* The chat widget: fixed in the bottom-right corner, above the page. */
  #chat { position: fixed; right: 24px; bottom: 24px; width: 60px; height: 60px; border-radius: 50%; border: 0; background: #7c3aed; color: #fff;
    font-size: 13px; font-weight: 700; box-shadow: 0 6px 18px rgba(76, 29, 149, .45); z-index: 1000; }
`;

function layout(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} — Harbor Desk</title><style>${STYLE}</style></head>
<body><nav class="bar">Harbor Desk <a href="/tickets">Tickets</a> <a href="/reports">Reports</a></nav>
<main>${body}</main>
<button id="chat" type="button" aria-label="Chat with support">Chat</button>
</body></html>`;
}

const tickets = () =>
  layout(
    'Tickets',
    `<h1>Open tickets</h1>
  <table><thead><tr><th>#</th><th>Subject</th><th>Status</th><th></th></tr></thead><tbody>
    <tr id="t-42"><td>42</td><td>Printer on floor 3 is offline</td><td class="status" id="status-42">Open</td>
      <td><button id="assign-42" type="button">Assign to me</button> <button id="close-42" type="button">Close</button></td></tr>
    <tr id="t-43"><td>43</td><td>VPN drops every hour</td><td class="status">Open</td><td><button id="assign-43" type="button">Assign to me</button></td></tr>
  </tbody></table>
  <script>
    document.getElementById('close-42').addEventListener('click', () => { document.getElementById('status-42').textContent = 'Closed'; });
    document.getElementById('assign-42').addEventListener('click', () => { document.getElementById('status-42').textContent = 'Assigned to you'; });
  </script>`,
  );

const reports = () =>
  layout(
    'Reports',
    `<h1>Reports</h1><p>Tickets closed this month: 128.</p><button id="export" type="button">Export CSV</button>`,
  );

/** Starts the app on 127.0.0.1 (a new origin each time: its own port). */
export function startLauncherApp() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const page = url.pathname === '/tickets' ? tickets() : url.pathname === '/reports' ? reports() : null;
    if (!page) {
      res.writeHead(url.pathname === '/' ? 302 : 404, url.pathname === '/' ? { location: '/tickets' } : {});
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
