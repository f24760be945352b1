// A small wiki for the walkthrough's value kinds: "Fernwood", where a page is created from a form
// (the author's username, a title they make up, a category and a number of copies the task
// requires), then opened from the list of pages by its title and published. Every page created is
// listed, oldest first: the admin's recorded page stays where it was recorded, and the colleague's
// sits below it with their own title.
//
// The copies field is kept the way React keeps a controlled input: the app remembers the value it
// last saw, and an `input` event counts only when the field's value differs from it (a value set
// without the events a person's typing makes is never seen). The summary line under the form shows
// what the app saw.
import http from 'node:http';

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const slugOf = (t) => t.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '') || 'untitled';

const STYLE = `
  body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: #f4f6f8; color: #0f172a; }
  .bar { height: 52px; display: flex; align-items: center; gap: 24px; padding: 0 24px; background: #14532d; color: #fff; font-weight: 600; }
  .bar a { color: #dcfce7; font-weight: 500; text-decoration: none; }
  main { max-width: 620px; margin: 32px auto; background: #fff; border: 1px solid #d4d9df; border-radius: 12px; padding: 24px 28px; }
  h1 { font-size: 21px; margin: 0 0 16px; }
  .field { display: grid; gap: 6px; margin: 0 0 16px; }
  .field input, .field select { font: inherit; padding: 8px 10px; border-radius: 6px; border: 1px solid #c3cad3; }
  .summary { color: #475569; margin: 0 0 16px; }
  button { font: inherit; font-weight: 600; padding: 8px 18px; border-radius: 6px; border: 0; background: #15803d; color: #fff; }
  ul.pages { list-style: none; padding: 0; margin: 0; }
  ul.pages li { display: flex; justify-content: space-between; padding: 10px 4px; border-bottom: 1px solid #e5e7eb; }
  ul.pages a { color: #1d4ed8; font-weight: 600; }
  .by { color: #64748b; font-size: 13px; }
  .status { color: #15803d; font-weight: 600; }
`;

function layout(title, body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} — Fernwood</title><style>${STYLE}</style></head>
<body><nav class="bar">Fernwood <a href="/new">New page</a> <a href="/pages">All pages</a></nav>
<main>${body}</main></body></html>`;
}

function newPage() {
  return layout(
    'New page',
    `<h1>New page</h1>
  <form id="new_page" method="post" action="/new">
    <div class="field"><label for="username">Username</label><input id="username" name="username" autocomplete="username" required></div>
    <div class="field"><label for="title">Page title</label><input id="title" name="title" autocomplete="off"></div>
    <div class="field"><label for="category">Category</label>
      <select id="category" name="category"><option value="">Choose…</option><option value="eng">Engineering</option><option value="ops">Operations</option><option value="mkt">Marketing</option></select></div>
    <div class="field"><label for="copies">Printed copies</label><input id="copies" name="copies" type="number" min="1" max="20" value="1"></div>
    <p class="summary" id="summary">1 copy, no category</p>
    <button id="create" type="submit">Create page</button>
  </form>
  <script>
    // A controlled input as React keeps it: the app's last known value on the element itself.
    const copies = document.getElementById('copies');
    const category = document.getElementById('category');
    const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
    let known = copies.value;
    Object.defineProperty(copies, 'value', { configurable: true, get() { return native.get.call(this); }, set(v) { known = String(v); native.set.call(this, v); } });
    const state = { copies: Number(known), category: '' };
    const show = () => {
      const name = category.selectedOptions[0] && category.value ? category.selectedOptions[0].textContent : 'no category';
      document.getElementById('summary').textContent = state.copies + (state.copies === 1 ? ' copy, ' : ' copies, ') + (state.category ? name : 'no category');
    };
    copies.addEventListener('input', () => {
      const now = native.get.call(copies);
      if (now === known) return; // React: no change it did not see
      known = now;
      state.copies = Number(now);
      show();
    });
    category.addEventListener('change', () => { state.category = category.value; show(); });
  </script>`,
  );
}

function listPage(pages) {
  const items = pages
    .map((p) => `<li><a class="page-link" href="/pages/${esc(p.slug)}">${esc(p.title)}</a><span class="by">by ${esc(p.author)}</span></li>`)
    .join('');
  return layout('All pages', `<h1>All pages</h1><ul class="pages" id="pages">${items}</ul>`);
}

function pageView(p) {
  return layout(
    p.title,
    `<h1 id="page_title">${esc(p.title)}</h1>
  <p class="by">by ${esc(p.author)} · ${esc(p.categoryName)} · ${p.copies} printed ${p.copies === 1 ? 'copy' : 'copies'}</p>
  <p class="status" id="status">${p.published ? 'Published' : 'Draft'}</p>
  <form method="post" action="/pages/${esc(p.slug)}/publish"><button id="publish" type="submit">Publish</button></form>`,
  );
}

const CATEGORIES = { eng: 'Engineering', ops: 'Operations', mkt: 'Marketing' };

/** Starts the wiki on 127.0.0.1; `pages` is its list (oldest first), for the test to read. */
export function startWikiApp() {
  const pages = [{ title: 'Welcome', slug: 'welcome', author: 'fernwood', categoryName: 'General', copies: 1, published: true }];
  const send = (res, status, html) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const body = () =>
      new Promise((resolve) => {
        let data = '';
        req.on('data', (d) => (data += d));
        req.on('end', () => resolve(new URLSearchParams(data)));
      });
    if (req.method === 'POST' && url.pathname === '/new') {
      void body().then((form) => {
        const title = (form.get('title') || '').trim() || 'Untitled';
        let slug = slugOf(title);
        for (let n = 2; pages.some((p) => p.slug === slug); n++) slug = `${slugOf(title)}-${n}`;
        pages.push({ title, slug, author: form.get('username') || 'someone', categoryName: CATEGORIES[form.get('category')] ?? 'no category', copies: Number(form.get('copies') || 1), published: false });
        res.writeHead(303, { location: '/pages' });
        res.end();
      });
      return;
    }
    const publish = /^\/pages\/([^/]+)\/publish$/.exec(url.pathname);
    if (req.method === 'POST' && publish) {
      req.resume();
      const p = pages.find((x) => x.slug === publish[1]);
      if (p) p.published = true;
      res.writeHead(303, { location: `/pages/${publish[1]}` });
      res.end();
      return;
    }
    if (url.pathname === '/new') return send(res, 200, newPage());
    if (url.pathname === '/pages') return send(res, 200, listPage(pages));
    const one = /^\/pages\/([^/]+)$/.exec(url.pathname);
    const p = one && pages.find((x) => x.slug === one[1]);
    if (p) return send(res, 200, pageView(p));
    send(res, 404, layout('Not found', '<h1>Not found</h1>'));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, pages, close: () => new Promise((r) => server.close(r)) });
    });
  });
}
