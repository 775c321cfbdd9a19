// The helper's console: the novice's screen from web frames to a <canvas>.
//
// The server sends each frame update as one WebSocket binary message in the
// web frame format (beckon-video's `webframe`): the encoder's rectangles,
// not pixels. `beckon-video-wasm`, our own decoder compiled to WebAssembly,
// decodes them into RGBA pixels in its memory, and `draw` hands the part
// that changed to the canvas straight from there: an ImageData over the
// module's memory, so the pixels are never copied in JavaScript.
//
//   import { createDecoder } from './decoder.js';
//   const decoder = await createDecoder('/decoder.wasm');
//   socket.binaryType = 'arraybuffer';
//   socket.onmessage = (e) => {
//     const r = decoder.apply(e.data);
//     if (!r.ok) showError(r.error);
//     requestAnimationFrame(() => decoder.draw(canvas));
//   };
//
// An ES module without dependencies, for current Chromium and Firefox.

/** Error codes of `apply`, as `beckon-video-wasm`'s `code` module lists them. */
export const ErrorCode = Object.freeze({
  OK: 0,
  BAD_MAGIC: -1,
  VERSION: -2,
  TRUNCATED: -3,
  SIZE: -4,
  UNKNOWN_RECORD: -5,
  UNKNOWN_ENCODING: -6,
  OUT_OF_BOUNDS: -7,
  RECT: -8,
  DATA_TOO_LONG: -9,
  /** Not a decoder error: the module trapped (a bug); reload the page. */
  TRAP: -100,
});

/**
 * Load the decoder module from `wasmUrl`.
 * @param {string | URL} wasmUrl
 * @returns {Promise<Decoder>}
 */
export async function createDecoder(wasmUrl) {
  const response = await fetch(wasmUrl);
  if (!response.ok) {
    throw new Error(`the screen decoder could not be loaded from ${wasmUrl}: HTTP ${response.status}`);
  }
  const bytes = await response.arrayBuffer();
  if (bytes.byteLength === 0) {
    // What adapters/beckon/build.rs serves when the target was missing.
    throw new Error(
      'this beckon was built without its screen decoder: ' +
        'run `rustup target add wasm32-unknown-unknown` and build beckon again',
    );
  }
  let instance;
  try {
    ({ instance } = await WebAssembly.instantiate(bytes, {}));
  } catch (e) {
    // The module uses WebAssembly SIMD (Chromium 91, Firefox 89, Safari 16.4).
    throw new Error(`this browser cannot run the screen decoder (too old?): ${e}`);
  }
  return new Decoder(instance.exports);
}

/** One screen: apply web frames, draw what changed. */
export class Decoder {
  /** The module's exports. */
  #x;
  /** The ImageData over the module's memory, and what it was made for. */
  #image = null;
  #imageKey = '';
  /** The box changed since the last draw, [x0, y0, x1, y1], or null. */
  #pending = null;
  /** The canvas drawn to last, its 2D context, and whether it shows the screen. */
  #canvas = null;
  #ctx = null;

  /** @param {WebAssembly.Exports} exports */
  constructor(exports) {
    this.#x = exports;
  }

  /**
   * Decode one web frame into the screen.
   *
   * Returns `{ok, code, error, width, height, dirty, cursor}`: `error` is a
   * readable reason when `ok` is false (a version mismatch says to reload);
   * `dirty` is the box this frame changed, `{x, y, w, h}` or null; `cursor`
   * is `{x, y}` or null. After an error the screen may be partly updated, and
   * the next `draw` shows all of it.
   * @param {ArrayBuffer | ArrayBufferView} message
   */
  apply(message) {
    const x = this.#x;
    const bytes = ArrayBuffer.isView(message)
      ? new Uint8Array(message.buffer, message.byteOffset, message.byteLength)
      : new Uint8Array(message);
    let code;
    try {
      const ptr = x.input(bytes.length);
      // After `input`: it may have grown the memory, which detaches old views.
      new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
      code = x.apply_input();
    } catch (e) {
      // A trap (out of memory, a bug): the module's state cannot be trusted.
      return { ok: false, code: ErrorCode.TRAP, error: `the screen decoder failed: ${e}`, width: 0, height: 0, dirty: null, cursor: null };
    }
    const width = x.width();
    const height = x.height();
    const dw = x.dirty_w();
    const dh = x.dirty_h();
    let dirty = null;
    if (dw > 0 && dh > 0) {
      dirty = { x: x.dirty_x(), y: x.dirty_y(), w: dw, h: dh };
      const p = this.#pending;
      const box = [dirty.x, dirty.y, dirty.x + dw, dirty.y + dh];
      this.#pending = p
        ? [Math.min(p[0], box[0]), Math.min(p[1], box[1]), Math.max(p[2], box[2]), Math.max(p[3], box[3])]
        : box;
    }
    const cx = x.cursor_x();
    return {
      ok: code === ErrorCode.OK,
      code,
      error: code === ErrorCode.OK ? null : this.#errorText(),
      width,
      height,
      dirty,
      cursor: cx < 0 ? null : { x: cx, y: x.cursor_y() },
    };
  }

  /**
   * Put what changed since the last draw on `canvas`, resizing it to the
   * screen when needed (then all of it is drawn). Cheap when nothing
   * changed; call it from requestAnimationFrame to draw at most once a
   * display frame however fast frames arrive.
   * @param {HTMLCanvasElement | OffscreenCanvas} canvas
   */
  draw(canvas) {
    const x = this.#x;
    const width = x.width();
    const height = x.height();
    if (canvas !== this.#canvas) {
      this.#canvas = canvas;
      // No alpha: the screen is opaque, and an opaque canvas composites
      // faster and shows a stray alpha value as a colour, not a hole.
      this.#ctx = canvas.getContext('2d', { alpha: false });
      this.#pending = [0, 0, width, height];
    }
    if (canvas.width !== width || canvas.height !== height) {
      // Resizing clears the canvas: everything must be drawn.
      canvas.width = width;
      canvas.height = height;
      this.#pending = [0, 0, width, height];
    }
    const p = this.#pending;
    if (!p) return;
    this.#pending = null;
    this.#ctx.putImageData(this.#imageData(width, height), 0, 0, p[0], p[1], p[2] - p[0], p[3] - p[1]);
  }

  /** An ImageData over the screen's pixels in the module's memory, made again
   * when the memory grew (its buffer is then a new one) or the pixels moved. */
  #imageData(width, height) {
    const x = this.#x;
    const buffer = x.memory.buffer;
    const ptr = x.pixels_ptr();
    const key = `${ptr}:${width}:${height}`;
    if (!this.#image || this.#image.data.buffer !== buffer || this.#imageKey !== key) {
      const pixels = new Uint8ClampedArray(buffer, ptr, width * height * 4);
      this.#image = new ImageData(pixels, width, height);
      this.#imageKey = key;
    }
    return this.#image;
  }

  #errorText() {
    const x = this.#x;
    const bytes = new Uint8Array(x.memory.buffer, x.error_ptr(), x.error_len());
    return new TextDecoder().decode(bytes);
  }
}
