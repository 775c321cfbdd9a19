// Runs inside the browser: times web frames from "message bytes in hand"
// to "pixels in the canvas" with the console's own decoder.js.
//
// Where the clock starts: before `apply`, which resolves once every
// rectangle is on the module's screen, including the JPEG tiles decoded in
// the decoder's Web Workers. Where the clock stops: after `draw`
// (putImageData of the dirty box) and a 1×1 getImageData, which makes Chromium finish every pending canvas
// operation first, so the time includes the pixels really landing in the
// canvas's backing store. It does not wait for the next
// requestAnimationFrame: that adds the wait for the display's next frame
// (0 to 16.7 ms, whatever the decoder does), which would hide the cost we
// are measuring rather than show it.

import { createDecoder } from '/decoder.js';

/** FNV-1a over bytes: a cheap fingerprint to compare with the Rust side's. */
function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  return h >>> 0;
}

async function load(name) {
  const response = await fetch(`/fixtures/${name}`);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

function expectOk(result, what) {
  if (!result.ok) throw new Error(`${what}: ${result.error}`);
}

/** Let the browser run its own tasks between runs, as between messages. */
const yieldToBrowser = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Time every fixture `runs` times after `warmup` untimed runs, each applied
 * right after its base frame so every run is a real change.
 */
export async function run({ runs, warmup, workers }) {
  const decoder = await createDecoder('/decoder.wasm', { workers });
  const canvas = document.querySelector('canvas');
  const fixtures = await (await fetch('/fixtures/fixtures.json')).json();
  let ctx = null;
  const results = [];
  for (const f of fixtures) {
    const base = await load(f.base);
    const frame = await load(f.frame);
    const total = [];
    const decode = [];
    const draw = [];
    for (let i = 0; i < warmup + runs; i++) {
      expectOk(await decoder.apply(base), f.base);
      decoder.draw(canvas);
      // The same attributes as decoder.js asks for: the first call decides.
      ctx ??= canvas.getContext('2d', { alpha: false });
      ctx.getImageData(0, 0, 1, 1);
      await yieldToBrowser();

      const t0 = performance.now();
      const result = await decoder.apply(frame);
      const t1 = performance.now();
      decoder.draw(canvas);
      ctx.getImageData(0, 0, 1, 1);
      const t2 = performance.now();
      expectOk(result, f.frame);
      if (i >= warmup) {
        total.push(t2 - t0);
        decode.push(t1 - t0);
        draw.push(t2 - t1);
      }
    }
    const shown = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    results.push({
      name: f.name,
      bytes: frame.byteLength,
      total,
      decode,
      draw,
      fingerprint: fnv1a(shown),
      expected: f.fnv1a,
    });
  }
  return results;
}
