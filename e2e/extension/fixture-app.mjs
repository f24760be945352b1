// The web app the extension records and guides in its end-to-end run: a sign-in page (with a
// password the recorder must never keep), an invoice form (select, text, a button that shows a
// note field, submit) and a confirmation page. Three versions, switched by the test:
//   v1 — as recorded;
//   v2 — what a release does: new ids (some generated) and classes, extra wrappers, reworded
//        labels, reordered fields;
//   v3 — v2 with the "Add note" button removed.
// Every page also carries a banner with the highest z-index and its own stacking context, which
// a z-index overlay could not draw above.
import http from 'node:http';

const page = (title, body, script = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>
  body { font: 14px sans-serif; margin: 0; padding: 64px 20px 80px; }
  .field, .row { margin: 10px 0; } label { display: inline-block; min-width: 140px; }
  .promo { position: fixed; left: 0; right: 0; bottom: 0; height: 70px; z-index: 2147483647; background: rgba(250,204,21,.95);
    display: flex; align-items: center; padding: 0 20px; isolation: isolate; transform: translateZ(0); }
  header.top { position: fixed; top: 0; left: 0; right: 0; height: 48px; background: #1e293b; color: #fff; z-index: 2147483647;
    display: flex; align-items: center; gap: 16px; padding: 0 20px; }
  header.top a { color: #fff; }
</style></head>
<body><header class="top"><strong>Acme Books</strong><a href="/help" id="help_link">Help</a></header>
${body}
<div class="promo" role="note">Year-end closing: file every invoice by Friday.</div>
${script ? `<script>${script}</script>` : ''}</body></html>`;

function login(v) {
  if (v === 1) {
    return page('Sign in — Acme Books', `<main><h1>Sign in</h1>
      <form id="login_form" method="post" action="/login">
        <div class="field"><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username"></div>
        <div class="field"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password"></div>
        <div class="row"><button id="sign_in" type="submit" class="btn btn-primary">Sign in</button>
          <a href="/forgot" id="forgot">Forgot password?</a></div>
      </form></main>`);
  }
  return page('Sign in — Acme Books', `<main><h1>Welcome back</h1>
    <form class="LoginForm_f__9a" method="post" action="/login">
      <div class="css-1x9f2k"><div class="Field_root__a8Xq2"><label for="em-3391">Email address</label>
        <input id="em-3391" name="email" type="email" autocomplete="username" class="Input_i__k2"></div></div>
      <div class="css-1x9f2k"><div class="Field_root__a8Xq2"><label for="pw-7710">Password</label>
        <input id="pw-7710" name="password" type="password" autocomplete="current-password" class="Input_i__k2"></div></div>
      <div class="Actions_a__1"><span class="Btn_wrap__z1"><button type="submit" class="Btn_primary__k2">Sign in</button></span>
        <a href="/forgot">Forgot your password?</a></div>
    </form></main>`);
}

function invoice(v) {
  const noteButton = v === 1
    ? '<button id="add_note" type="button" class="btn btn-link">Add note</button>'
    : v === 2
      ? '<span class="Btn_wrap__z1"><button type="button" class="LinkBtn_l__7">Add note</button></span>'
      : '';
  const fields = v === 1
    ? `<div class="field vendor"><label for="vendor">Vendor</label>
         <select id="vendor" name="vendor" class="vendor-select form-control"><option value="">Choose…</option><option>ABC Corp</option><option>Globex</option><option>Initech</option></select></div>
       <div class="field"><label for="invoice_number">Invoice number</label><input id="invoice_number" name="invoice_number" class="form-control" placeholder="INV-0001"></div>`
    : `<div class="css-1x9f2k"><div class="Field_root__a8Xq2"><label for="num-5521">Invoice no.</label><input id="num-5521" name="invoice_number" class="Input_i__k2" placeholder="INV-0001"></div></div>
       <div class="css-1x9f2k"><div class="Field_root__a8Xq2"><label for="sup-1934">Supplier / vendor</label>
         <select id="sup-1934" name="vendor" class="Select_s__q9"><option value="">Choose…</option><option>ABC Corp</option><option>Globex</option><option>Initech</option></select></div></div>`;
  const submit = v === 1
    ? '<button id="create_invoice" type="submit" class="btn btn-primary">Create invoice</button>'
    : '<footer class="Actions_a__1"><span class="Btn_wrap__z1"><button type="submit" class="Btn_primary__k2">Create invoice</button></span></footer>';
  return page('Create invoice — Acme Books', `<main><h1>${v === 1 ? 'Create invoice' : 'New invoice'}</h1>
    <div style="position: relative; z-index: 99999; isolation: isolate">
    <form id="${v === 1 ? 'invoice_form' : 'f-20931'}" method="post" action="/app/invoice">
      ${fields}
      <div class="row">${noteButton}</div>
      <div class="field note" hidden><label for="note">Note</label><textarea id="note" name="note"></textarea></div>
      <div class="row">${submit}</div>
    </form></div>
    <p role="status" id="status"></p></main>`,
    `document.addEventListener('click', (e) => {
       const b = e.target.closest('button[type=button]');
       if (b && /Add note/.test(b.textContent)) { document.querySelector('.note').hidden = false; document.querySelector('#status').textContent = 'Note added'; }
     });
     window.__pageClicks = 0; document.addEventListener('click', () => { window.__pageClicks++; });`);
}

function done() {
  return page('Invoice created — Acme Books', `<main><h1>Invoice created</h1><p>Your invoice was saved.</p><a href="/app/invoice" id="another">Create another</a></main>`);
}

/** Starts the fixture app on 127.0.0.1; `setVersion(n)` switches every page to v1, v2 or v3. */
export function startFixtureApp() {
  let version = 1;
  const posts = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const html = (s) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(s);
    };
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        posts.push({ path: url.pathname, body: new URLSearchParams(body) });
        const to = url.pathname === '/login' ? '/app/invoice' : '/app/done';
        res.writeHead(303, { location: to });
        res.end();
      });
      return;
    }
    if (url.pathname === '/' || url.pathname === '/login') return html(login(version));
    if (url.pathname === '/app/invoice') return html(invoice(version));
    if (url.pathname === '/app/done') return html(done());
    if (url.pathname === '/help' || url.pathname === '/forgot') return html(page('Help', '<main><h1>Help</h1></main>'));
    res.writeHead(404);
    res.end('not found');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        posts,
        setVersion: (v) => {
          version = v;
        },
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}
