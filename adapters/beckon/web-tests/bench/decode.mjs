// Times the helper's console decoder in headless Chromium: each fixture
// web frame from message bytes to pixels in the canvas (see page.js for
// exactly where the clock starts and stops).
//
//   node bench/decode.mjs [--wasm FILE] [--fixtures DIR] [--runs N] [--workers N] [--screenshots DIR]
//
// Defaults, from the workspace root: target/wasm/wasm32-unknown-unknown/
// release/beckon_video_wasm.wasm (built by `cargo build -p beckon`) and
// target/web-fixtures (written by
// `cargo run -p beckon-video --release --example web_fixture -- target/web-fixtures`).
// `cargo xtask bench-web` does both and then runs this.
//
// Prints one line per fixture:
//   metric web_decode_<name>_ms median=… p90=… bytes=… min=… decode_median=… draw_median=… runs=…
// (times in ms; decode = bytes into the module's screen, draw = putImageData
// until the canvas has the pixels; min shows the cost without other load).
// and fails if a canvas does not show exactly what the Rust decoder shows.

import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../../..');

const { values: opts } = parseArgs({
  options: {
    wasm: {
      type: 'string',
      default:
        process.env.BECKON_DECODER_WASM ??
        join(root, 'target/wasm/wasm32-unknown-unknown/release/beckon_video_wasm.wasm'),
    },
    fixtures: { type: 'string', default: process.env.BECKON_WEB_FIXTURES ?? join(root, 'target/web-fixtures') },
    runs: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    // JPEG workers, as createDecoder's option; the decoder's default if unset.
    workers: { type: 'string' },
    screenshots: { type: 'string' },
  },
});

/** Chromium from Debian; these flags keep it from reaching for a network
 * this machine does not have (it would stall on start otherwise). */
const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>beckon decoder bench</title>
<style>body { margin: 0; background: #333 } canvas { display: block }</style>
<canvas></canvas>
<script type="module">
  import { run } from '/page.js';
  window.runBench = run;
</script>`;

const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Serve the page, the console's decoder and the fixtures, nothing else. */
function serve() {
  const routes = {
    '/': { file: null, type: 'text/html' },
    '/page.js': { file: join(here, 'page.js') },
    '/decoder.js': { file: join(root, 'adapters/beckon/web/decoder.js') },
    '/decoder-worker.js': { file: join(root, 'adapters/beckon/web/decoder-worker.js') },
    '/decoder.wasm': { file: opts.wasm },
  };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    let file = routes[path]?.file;
    if (path.startsWith('/fixtures/')) file = join(opts.fixtures, basename(path));
    try {
      const body = path === '/' ? PAGE : await readFile(file);
      const ext = path === '/' ? '' : file.slice(file.lastIndexOf('.'));
      res.writeHead(200, { 'content-type': routes[path]?.type ?? TYPES[ext] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const ms = (v) => v.toFixed(2);

const server = await serve();
const browser = await chromium.launch(CHROMIUM);
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('pageerror', (e) => console.error(`page error: ${e}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => window.runBench);
  const results = await page.evaluate(
    (o) => window.runBench(o),
    { runs: Number(opts.runs), warmup: Number(opts.warmup), workers: opts.workers === undefined ? undefined : Number(opts.workers) },
  );
  for (const r of results) {
    console.log(
      `metric web_decode_${r.name}_ms median=${ms(quantile(r.total, 0.5))} p90=${ms(quantile(r.total, 0.9))} ` +
        `bytes=${r.bytes} min=${ms(quantile(r.total, 0))} decode_median=${ms(quantile(r.decode, 0.5))} draw_median=${ms(quantile(r.draw, 0.5))} runs=${r.total.length}`,
    );
    if (r.expected !== undefined && r.fingerprint !== r.expected) {
      console.error(`${r.name}: the canvas shows other pixels than the Rust decoder (fnv1a ${r.fingerprint} != ${r.expected})`);
      failed = true;
    }
  }
  if (opts.screenshots) {
    // The last fixture's screen, to look at.
    await page.locator('canvas').screenshot({ path: join(opts.screenshots, 'web-decode-last.png') });
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
