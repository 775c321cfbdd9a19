// Who may talk to the console's server: only our own page, with the run's
// token, as 127.0.0.1 (or localhost) on our port. Checked with raw HTTP and
// from a real page of another origin in Chromium.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { Xvfb, e2e, freePort, noPanelReason, waitBody, waitFor } from './harness.mjs';

const NO_PANEL = noPanelReason();

/** One raw request; resolves to { status, headers, body }. Upgrades resolve with status 101. */
function request(port, pathAndQuery, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: pathAndQuery, method: 'GET',
      headers: { Host: `127.0.0.1:${port}`, ...headers },
      setHost: false,
    });
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`no answer to GET ${pathAndQuery} within 10 s`)); }, 10000);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode, headers: res.headers, body }); });
    });
    req.on('upgrade', (res, socket) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: res.statusCode, headers: res.headers, body: '' });
    });
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    req.end();
  });
}

function upgradeHeaders(origin) {
  const h = {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Key': crypto.randomBytes(16).toString('base64'),
    'Sec-WebSocket-Version': '13',
  };
  if (origin) h.Origin = origin;
  return h;
}

/** A console waiting for the invitation's password: its server is up, no share needed. */
async function console_(w) {
  const port = await freePort();
  const inv = w.invite({ password: 'tulip', port });
  return w.connect({ invitation: inv.file, downloads: w.path() });
}

e2e('security: the console server refuses requests without the right token, host and origin', async (t, w) => {
  const c = await console_(w);
  await guardChecks(t, w, c, { script: 'console.js', role: 'console', ready: (page) => waitBody(page, 'phase', 'password', 'the console to ask for the password (body[data-phase=password])') });
});

e2e('security: the panel server refuses requests without the right token, host and origin', { skip: NO_PANEL }, async (t, w) => {
  const x = await Xvfb.start(w);
  const port = await freePort();
  const share = await w.share({ display: x.display, port, panel: true });
  const u = new URL(share.url);
  const p = { proc: share.proc, url: share.url, port: Number(u.port), token: u.searchParams.get('t') };
  await guardChecks(t, w, p, { script: 'panel.js', role: 'panel', ready: (page) => waitFor('the panel to fill #lang from its socket', () => page.evaluate(() => document.getElementById('lang').options.length > 0)) });
});

/** The same checks against one page's server `c` ({ proc, url, port, token }). */
async function guardChecks(t, w, c, { script, role, ready }) {
  const own = `http://127.0.0.1:${c.port}`;
  const tok = encodeURIComponent(c.token);

  await t.test('with the token, the page, an asset and the WebSocket are served', async () => {
    assert.equal((await request(c.port, `/?t=${tok}`)).status, 200, 'page with the token');
    assert.equal((await request(c.port, `/assets/common.js?t=${tok}`)).status, 200, 'asset with the token');
    assert.equal((await request(c.port, `/ws?t=${tok}`, upgradeHeaders(own))).status, 101, 'WebSocket from our own origin');
  });

  await t.test('without the token: page, assets and /ws are refused with 403', async () => {
    for (const p of ['/', `/assets/${script}`, '/assets/common.js', '/assets/style.css']) {
      assert.equal((await request(c.port, p)).status, 403, `GET ${p} without token`);
    }
    assert.equal((await request(c.port, '/ws', upgradeHeaders(own))).status, 403, 'WebSocket without token');
    assert.equal((await request(c.port, '/?t=')).status, 403, 'empty token');
  });

  await t.test('a wrong token is refused with 403', async () => {
    const wrong = c.token.length > 1 ? c.token.slice(0, -1) + (c.token.endsWith('A') ? 'B' : 'A') : 'x';
    for (const p of [`/?t=${encodeURIComponent(wrong)}`, `/assets/${script}?t=${encodeURIComponent(wrong)}`, '/?t=0000', `/?t=${tok}x`]) {
      assert.equal((await request(c.port, p)).status, 403, `GET ${p}`);
    }
    assert.equal((await request(c.port, `/ws?t=${encodeURIComponent(wrong)}`, upgradeHeaders(own))).status, 403, 'WebSocket with a wrong token');
  });

  await t.test('a WebSocket from another origin is refused with 403 (and one without Origin)', async () => {
    for (const origin of ['http://evil.example', `http://evil.example:${c.port}`, `http://127.0.0.1:${c.port + 1}`, `https://127.0.0.1:${c.port}`, 'null']) {
      const r = await request(c.port, `/ws?t=${tok}`, upgradeHeaders(origin));
      assert.equal(r.status, 403, `WebSocket with Origin ${origin}`);
    }
    assert.equal((await request(c.port, `/ws?t=${tok}`, upgradeHeaders(null))).status, 403, 'WebSocket without Origin');
    assert.equal((await request(c.port, `/ws?t=${tok}`, upgradeHeaders(`http://localhost:${c.port}`))).status, 101, 'WebSocket from localhost:PORT (same server)');
  });

  await t.test('a foreign Host header (DNS rebinding) is refused with 403', async () => {
    for (const host of [`evil.example:${c.port}`, 'evil.example', `127.0.0.1:${c.port + 1}`, '127.0.0.1']) {
      assert.equal((await request(c.port, `/?t=${tok}`, { Host: host })).status, 403, `page with Host ${host}`);
    }
    const ws = await request(c.port, `/ws?t=${tok}`, { ...upgradeHeaders(`http://evil.example:${c.port}`), Host: `evil.example:${c.port}` });
    assert.equal(ws.status, 403, 'WebSocket with Host and Origin evil.example');
  });

  await t.test('a cross-site fetch (Sec-Fetch-Site: cross-site) is refused with 403', async () => {
    assert.equal((await request(c.port, `/?t=${tok}`, { 'Sec-Fetch-Site': 'cross-site' })).status, 403);
    assert.equal((await request(c.port, `/?t=${tok}`, { 'Sec-Fetch-Site': 'same-site' })).status, 403);
  });

  await t.test(`the real ${role} page opens its socket (control for the browser test)`, async () => {
    const page = await w.page(role, c.url);
    await ready(page);
    await w.shot(`${role}-page-live`);
  });

  await t.test(`a page of another origin in Chromium cannot open the ${role} socket`, async () => {
    const evilPort = await freePort();
    const target = `ws://127.0.0.1:${c.port}/ws?t=${tok}`;
    const html = `<!doctype html><title>evil</title><pre id="out">trying</pre><script>
      const out = document.getElementById('out');
      window.result = new Promise((resolve) => {
        let opened = false;
        const ws = new WebSocket(${JSON.stringify(target)});
        ws.onopen = () => { opened = true; out.textContent = 'OPENED'; };
        ws.onmessage = (e) => { out.textContent += ' got a message'; };
        ws.onerror = () => { out.textContent = 'error'; };
        ws.onclose = (e) => { out.textContent += ' closed ' + e.code; resolve({ opened, code: e.code }); };
        setTimeout(() => resolve({ opened, code: 'timeout' }), 8000);
      });
    </script>`;
    const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(html); });
    await new Promise((r) => server.listen(evilPort, '127.0.0.1', r));
    w.closers.push(() => new Promise((r) => server.close(r)));
    const page = await w.page('evil', `http://127.0.0.1:${evilPort}/`);
    const result = await waitFor('the evil page to report its WebSocket attempt', () => page.evaluate(() => window.result), { timeout: 15000 });
    await w.shot('evil-page');
    assert.equal(result.opened, false, `the socket from another origin must not open: ${JSON.stringify(result)}`);
    assert.notEqual(result.code, 'timeout', 'the socket attempt should end, not hang');
  });

  await t.test(`the ${role} server is still alive after all that`, async () => {
    assert.equal(c.proc.exited, null, `${c.proc.name} exited: ${c.proc.tail()}`);
    assert.equal((await request(c.port, `/?t=${tok}`)).status, 200);
  });
}
