// The helper's console: the novice's screen from web frames to a <canvas>.
//
// The server sends each frame update as one WebSocket binary message in the
// web frame format (beckon-video's `webframe`): the encoder's rectangles,
// not pixels. `beckon-video-wasm`, our own decoder compiled to WebAssembly,
// decodes them into RGBA pixels in its memory, and `draw` hands the part
// that changed to the canvas straight from there: an ImageData over the
// module's memory, so the pixels are never copied in JavaScript.
//
// JPEG tiles (photographs) are most of the work of a full update and need
// nothing from the screen, so when a message has many of them they are
// decoded in parallel: this thread applies every other rectangle and
// decodes tiles too, while a pool of Web Workers (decoder-worker.js), each
// with its own instance of the same module, decodes the rest; their pixels
// are put on the screen here as they come back. Messages are still applied strictly one after the other: `apply`
// returns a promise, and a message starts only when the one before it is
// done.
//
//   import { createDecoder } from './decoder.js';
//   const decoder = await createDecoder('/decoder.wasm');
//   socket.binaryType = 'arraybuffer';
//   socket.onmessage = async (e) => {
//     const r = await decoder.apply(e.data);
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

/** Fewer JPEG tiles than this in a message are decoded on this thread:
 * handing them to the workers and back costs more than it saves. */
const MIN_PARALLEL_TILES = 8;

/** Tiles this thread decodes between looks at the workers' answers, and
 * tiles a worker gets at a time: 1.5 to 2 ms of work each (measured), so
 * the answers' overhead stays small. */
const MAIN_RUN = 32;
const WORKER_RUN = 32;

/** A promise that resolves in a task of its own, after the tasks already
 * queued (the workers' answers): faster than setTimeout, which may wait. */
const nextTask = (() => {
  const channel = new MessageChannel();
  const waiting = [];
  channel.port1.onmessage = () => waiting.shift()();
  return () => new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
})();

/** Numbers per deferred tile in the module's table (`DEFERRED_FIELDS`):
 * index, x, y, w, h, data offset in the message, data length. */
const DEFERRED_FIELDS = 7;

/**
 * Load the decoder module from `wasmUrl`.
 *
 * `workers`: how many Web Workers decode JPEG tiles along with this thread
 * (default: one per other core, at least 1, at most 7; 0: none, everything
 * on this thread). `workerUrl`: their script, by default
 * decoder-worker.js next to this module, with this module's query (the
 * page's token). Without workers (or when they cannot
 * be started) the decoder works the same, on this thread.
 * @param {string | URL} wasmUrl
 * @param {{workers?: number, workerUrl?: string | URL}} [options]
 * @returns {Promise<Decoder>}
 */
export async function createDecoder(wasmUrl, options = {}) {
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
  let module;
  let instance;
  try {
    ({ module, instance } = await WebAssembly.instantiate(bytes, {}));
  } catch (e) {
    // The module uses WebAssembly SIMD (Chromium 91, Firefox 89, Safari 16.4).
    throw new Error(`this browser cannot run the screen decoder (too old?): ${e}`);
  }
  // This thread decodes a share of the tiles too: one worker per other core.
  const count = options.workers ?? Math.max(1, Math.min((navigator.hardwareConcurrency || 2) - 1, 7));
  const pool = count > 0 ? WorkerPool.start(module, count, options.workerUrl ?? defaultWorkerUrl()) : null;
  return new Decoder(instance.exports, pool);
}

/** decoder-worker.js next to this module, with this module's query. */
function defaultWorkerUrl() {
  const here = new URL(import.meta.url);
  const url = new URL('decoder-worker.js', here);
  url.search = here.search;
  return url;
}

/** The workers that decode JPEG tiles, started once and kept. */
class WorkerPool {
  #workers;
  /** Jobs sent and not answered: id → {resolve, reject}. */
  #waiting = new Map();
  #nextId = 0;

  /** The pool, or null when workers cannot be started here. */
  static start(module, count, url) {
    try {
      return new WorkerPool(module, count, url);
    } catch (e) {
      console.warn('screen decoder: no workers, decoding on one thread:', e);
      return null;
    }
  }

  constructor(module, count, url) {
    this.#workers = [];
    for (let i = 0; i < count; i++) {
      const w = new Worker(url);
      w.onmessage = (e) => this.#answer(e.data);
      // A script that did not load, or a worker that died: every job
      // waiting fails (as a trap) rather than hanging the frame queue.
      w.onerror = (e) => this.#failAll(`a screen decoder worker failed: ${e.message ?? 'load error'}`);
      w.postMessage({ module });
      this.#workers.push(w);
    }
  }

  get size() {
    return this.#workers.length;
  }

  /**
   * Decode tiles `first` to `end` of `message` (a Uint8Array) in worker
   * `w`. `tiles` is the module's deferred table. A promise for `{first,
   * count, pixels, failed, error}`.
   */
  decode(w, message, tiles, first, end) {
    let bytes = 0;
    for (let i = first; i < end; i++) bytes += tiles[i * DEFERRED_FIELDS + 6];
    // The tiles' data, copied into one buffer that is handed over.
    const data = new Uint8Array(bytes);
    const table = new Uint32Array((end - first) * 4);
    let at = 0;
    for (let i = first; i < end; i++) {
      const t = tiles.subarray(i * DEFERRED_FIELDS, (i + 1) * DEFERRED_FIELDS);
      data.set(message.subarray(t[5], t[5] + t[6]), at);
      table.set([t[3], t[4], at, t[6]], (i - first) * 4);
      at += t[6];
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#workers[w].postMessage({ id, data: data.buffer, tiles: table }, [data.buffer, table.buffer]);
    }).then((r) => ({ first, count: end - first, ...r }));
  }

  #answer(m) {
    const job = this.#waiting.get(m.id);
    if (!job) return;
    this.#waiting.delete(m.id);
    if (m.trap) job.reject(new Error(m.trap));
    else job.resolve(m);
  }

  #failAll(reason) {
    for (const job of this.#waiting.values()) job.reject(new Error(reason));
    this.#waiting.clear();
  }
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
  /** The JPEG workers, or null. */
  #pool;
  /** The last message's `apply`, which the next one waits for. */
  #queue = Promise.resolve();

  /**
   * @param {WebAssembly.Exports} exports
   * @param {WorkerPool | null} pool
   */
  constructor(exports, pool = null) {
    this.#x = exports;
    this.#pool = pool;
  }

  /**
   * Decode one web frame into the screen.
   *
   * Returns `{ok, code, error, width, height, dirty, cursor}`: `error` is a
   * readable reason when `ok` is false (a version mismatch says to reload);
   * `dirty` is the box this frame changed, `{x, y, w, h}` or null; `cursor`
   * is `{x, y}` or null. After an error the screen may be partly updated, and
   * the next `draw` shows all of it.
   *
   * Messages are applied in the order of the calls: each waits for the one
   * before it. The message's bytes must stay as they are until it is done.
   * @param {ArrayBuffer | ArrayBufferView} message
   * @returns {Promise<object>}
   */
  apply(message) {
    const result = this.#queue.then(() => this.#apply(message));
    this.#queue = result.catch(() => {});
    return result;
  }

  /** One message, once the ones before it are done; never rejects. */
  async #apply(message) {
    const x = this.#x;
    const trap = (e) => ({ ok: false, code: ErrorCode.TRAP, error: `the screen decoder failed: ${e}`, width: 0, height: 0, dirty: null, cursor: null });
    const bytes = ArrayBuffer.isView(message)
      ? new Uint8Array(message.buffer, message.byteOffset, message.byteLength)
      : new Uint8Array(message);
    let code;
    let tiles = null;
    try {
      const ptr = x.input(bytes.length);
      // After `input`: it may have grown the memory, which detaches old views.
      new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
      if (this.#pool) {
        code = x.apply_input_deferring(MIN_PARALLEL_TILES);
        const n = x.deferred_count();
        // A copy: the next call into the module may move the table.
        if (n > 0) tiles = new Uint32Array(x.memory.buffer, x.deferred_ptr(), n * DEFERRED_FIELDS).slice();
      } else {
        code = x.apply_input();
      }
    } catch (e) {
      // A trap (out of memory, a bug): the module's state cannot be trusted.
      return trap(e);
    }
    // Read before the tiles' calls into the module change them.
    let error = code === ErrorCode.OK ? null : this.#errorText();
    if (tiles) {
      try {
        const failure = await this.#putTiles(bytes, tiles);
        if (failure) {
          code = ErrorCode.RECT;
          error = failure;
        }
      } catch (e) {
        return trap(e);
      }
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
    if (code === ErrorCode.RECT) {
      // Some tiles may be missing: show the whole screen as it now is.
      this.#pending = [0, 0, width, height];
    }
    const cx = x.cursor_x();
    return {
      ok: code === ErrorCode.OK,
      code,
      error,
      width,
      height,
      dirty,
      cursor: cx < 0 ? null : { x: cx, y: x.cursor_y() },
    };
  }

  /**
   * Decode the deferred JPEG tiles, which may go on the screen in any
   * order: this thread takes runs from the front, the workers from the
   * back, so the work follows whichever thread the machine actually runs
   * (a busy machine may give a worker no time at all). Between its runs
   * this thread lets the workers' answers in, puts their pixels on the
   * screen and hands them the next run. The first tile's error, or null.
   */
  async #putTiles(bytes, tiles) {
    const x = this.#x;
    const pool = this.#pool;
    let front = 0;
    let back = tiles.length / DEFERRED_FIELDS;
    let failure = null;
    let trapped = null;
    let running = 0;
    let allBack = null;
    const blit = (r) => {
      const pixels = new Uint8Array(r.pixels);
      const count = r.failed >= 0 ? r.failed : r.count;
      let at = 0;
      for (let i = r.first; i < r.first + count; i++) {
        const [, tx, ty, w, h] = tiles.subarray(i * DEFERRED_FIELDS, (i + 1) * DEFERRED_FIELDS);
        const n = w * h * 4;
        const ptr = x.tile_input(n);
        new Uint8Array(x.memory.buffer, ptr, n).set(pixels.subarray(at, at + n));
        if (x.blit_tile(tx, ty, w, h) !== ErrorCode.OK) failure ??= `rectangle ${tiles[i * DEFERRED_FIELDS]}: ${this.#errorText()}`;
        at += n;
      }
      if (r.failed >= 0) failure ??= `rectangle ${tiles[(r.first + r.failed) * DEFERRED_FIELDS]}: ${r.error}`;
    };
    const feed = (w) => {
      if (trapped || back <= front) {
        if (running === 0 && allBack) allBack();
        return;
      }
      const first = Math.max(front, back - WORKER_RUN);
      const end = back;
      back = first;
      running++;
      pool.decode(w, bytes, tiles, first, end).then(
        (r) => {
          running--;
          try {
            blit(r);
          } catch (e) {
            trapped ??= e;
          }
          feed(w);
        },
        (e) => {
          running--;
          trapped ??= e;
          feed(w);
        },
      );
    };
    // Two runs per worker, so none waits for this thread to hand it more.
    for (let w = 0; w < pool.size; w++) {
      feed(w);
      feed(w);
    }
    while (front < back) {
      const from = front;
      front = Math.min(front + MAIN_RUN, back);
      if (x.apply_deferred(from, front) !== ErrorCode.OK) failure ??= this.#errorText();
      await nextTask();
    }
    if (running > 0) await new Promise((resolve) => { allBack = resolve; });
    if (trapped) throw trapped;
    return failure;
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
