// One of the screen decoder's helpers (see decoder.js): decodes JPEG tiles
// with its own instance of the same WebAssembly module, so a full screen of
// photographic tiles is decoded on every core at once. A classic worker
// without imports; loaded from the page's origin.
//
// Messages in:  {module}  the compiled decoder, once, first;
//               {id, data, tiles}  `tiles` a Uint32Array of [w, h, offset,
//               length] per tile, the JPEG data in `data` (an ArrayBuffer).
// Messages out: {id, pixels, failed, error}  the tiles' RGBA pixels one
//               after the other (an ArrayBuffer, transferred); `failed` the
//               position of the first tile that did not decode (-1: none;
//               its pixels and the later ones' are left zero) and why;
//               or {id, trap} when the module trapped.
'use strict';

let ready = null;

onmessage = (e) => {
  const m = e.data;
  if (m.module) {
    ready = WebAssembly.instantiate(m.module, {});
    return;
  }
  ready.then(
    (instance) => decode(instance.exports, m),
    (err) => postMessage({ id: m.id, trap: `the screen decoder could not start: ${err}` }),
  );
};

function decode(x, { id, data, tiles }) {
  let size = 0;
  for (let i = 0; i < tiles.length; i += 4) size += tiles[i] * tiles[i + 1] * 4;
  const pixels = new Uint8Array(size);
  const src = new Uint8Array(data);
  let at = 0;
  let failed = -1;
  let error = null;
  try {
    for (let i = 0; i < tiles.length; i += 4) {
      const [w, h, offset, len] = tiles.subarray(i, i + 4);
      const ptr = x.input(len);
      // After `input`, which may grow the memory and detach older views.
      new Uint8Array(x.memory.buffer, ptr, len).set(src.subarray(offset, offset + len));
      if (x.decode_jpeg_input(w, h) !== 0) {
        failed = i / 4;
        error = new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.error_ptr(), x.error_len()));
        break;
      }
      const n = w * h * 4;
      pixels.set(new Uint8Array(x.memory.buffer, x.tile_ptr(), n), at);
      at += n;
    }
  } catch (err) {
    postMessage({ id, trap: `the screen decoder failed: ${err}` });
    return;
  }
  postMessage({ id, pixels: pixels.buffer, failed, error }, [pixels.buffer]);
}
