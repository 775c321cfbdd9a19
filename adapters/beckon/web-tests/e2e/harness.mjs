// The shared harness of the browser end-to-end tests: real `beckon`
// processes, a real Xvfb display with an xterm on it, and Debian's Chromium
// driven headless by playwright-core.
//
// Every test gets a `World` (its own BECKON_HOME, temp dir, display, ports)
// that records everything it started and stops all of it at the end, also
// when the test fails. Every wait has a time limit and says what it awaited.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_TESTS = path.resolve(here, '..');
export const REPO = path.resolve(WEB_TESTS, '..', '..', '..');
export const BECKON_BIN = process.env.BECKON_BIN || path.join(REPO, 'target', 'debug', 'beckon');
export const OUTPUT = path.join(WEB_TESTS, 'test-output');

/** The default time limit of one wait. */
export const LIMIT = Number(process.env.BECKON_E2E_LIMIT_MS || 20000);

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `fn` until it returns a truthy value; fail after `timeout` ms with a
 * message naming what was awaited (and the last value or error seen).
 */
export async function waitFor(what, fn, { timeout = LIMIT, interval = 100 } = {}) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      const seen = last instanceof Error ? `error: ${last.message}` : `last value: ${JSON.stringify(last)}`;
      throw new Error(`timed out after ${timeout} ms waiting for ${what} (${seen})`);
    }
    await sleep(interval);
  }
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Whether the panel (`beckon share --no-browser`, serving a page) exists yet. */
export function panelAvailable() {
  if (process.env.BECKON_PANEL === '0') return false;
  if (process.env.BECKON_PANEL === '1') return true;
  const help = spawnSync(BECKON_BIN, ['share', '--help'], { encoding: 'utf8' });
  if (!(help.stdout || '').includes('--no-browser')) return false;
  const page = path.join(REPO, 'adapters', 'beckon', 'web', 'panel.html');
  try {
    return fs.statSync(page).size > 0;
  } catch {
    return false;
  }
}

/** Why the panel steps are skipped, or false when the panel is there. */
export function noPanelReason() {
  if (panelAvailable()) return false;
  if (process.env.BECKON_PANEL === '0') return 'BECKON_PANEL=0: the person\'s side runs on the share --yes fallback';
  return 'the panel is not there yet (beckon share has no --no-browser, or web/panel.html is empty); the person\'s side runs on the share --yes fallback';
}

/** A started process whose output we keep and can wait on. */
export class Proc {
  constructor(name, cmd, args, opts = {}) {
    this.name = name;
    this.stdout = '';
    this.stderr = '';
    this.exited = null;
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts });
    if (this.child.stdout) {
      this.child.stdout.setEncoding('utf8');
      this.child.stdout.on('data', (d) => { this.stdout += d; });
    }
    if (this.child.stderr) {
      this.child.stderr.setEncoding('utf8');
      this.child.stderr.on('data', (d) => { this.stderr += d; });
    }
    if (this.child.stdin) this.child.stdin.on('error', () => {});
    this.done = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => { this.exited = { code, signal }; resolve(this.exited); });
      this.child.on('error', (e) => { this.exited = { code: null, signal: null, error: e.message }; resolve(this.exited); });
    });
  }

  get pid() { return this.child.pid; }

  /** Write a line to its standard input. */
  say(line) {
    if (!this.child.stdin) throw new Error(`${this.name} has no standard input`);
    this.child.stdin.write(`${line}\n`);
  }

  /** Wait until its stdout or stderr matches `re`; returns the match. */
  async waitOutput(re, what, timeout = LIMIT) {
    return waitFor(`${this.name} to print ${what || re}`, () => {
      const m = this.stdout.match(re) || this.stderr.match(re);
      if (m) return m;
      if (this.exited) throw new Error(`${this.name} exited ${JSON.stringify(this.exited)}; ${this.tail()}`);
      return null;
    }, { timeout });
  }

  /** Wait until it exits; returns { code, signal }. */
  async waitExit(timeout = LIMIT) {
    return waitFor(`${this.name} to exit`, () => this.exited, { timeout });
  }

  tail(n = 1500) {
    return `stdout: ${JSON.stringify(this.stdout.slice(-n))} stderr: ${JSON.stringify(this.stderr.slice(-n))}`;
  }

  /** SIGTERM, then SIGKILL after a grace period. Only this process. */
  async stop(grace = 2000) {
    if (this.exited) return;
    try { this.child.kill('SIGTERM'); } catch { /* gone */ }
    const t = setTimeout(() => { try { this.child.kill('SIGKILL'); } catch { /* gone */ } }, grace);
    await this.done;
    clearTimeout(t);
  }
}

/** Run a command to its end (with a time limit). */
export function run(cmd, args, { input = '', env, cwd, timeout = LIMIT } = {}) {
  const r = spawnSync(cmd, args, { input, env, cwd, encoding: 'utf8', timeout });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { code: r.status, stdout: r.stdout || '', stderr: r.stderr || '' };
}

/** A private Xvfb display. */
export class Xvfb {
  static async start(world) {
    let n = 140 + Math.floor(Math.random() * 40);
    for (let tries = 0; tries < 200; tries += 1, n += 1) {
      if (fs.existsSync(`/tmp/.X11-unix/X${n}`) || fs.existsSync(`/tmp/.X${n}-lock`)) continue;
      const p = world.track(new Proc(`Xvfb :${n}`, 'Xvfb', [`:${n}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'pipe', 'pipe'] }));
      try {
        await waitFor(`Xvfb :${n} to create its socket`, () => {
          if (p.exited) throw new Error(`Xvfb :${n} exited: ${p.tail()}`);
          return fs.existsSync(`/tmp/.X11-unix/X${n}`);
        }, { timeout: 10000 });
      } catch (e) {
        await p.stop();
        if (/exited/.test(e.message)) continue; // taken by a racing test: try the next number
        throw e;
      }
      const x = new Xvfb();
      x.proc = p;
      x.display = `:${n}`;
      return x;
    }
    throw new Error('no free X display number found from :140 on');
  }

  env() { return { ...process.env, DISPLAY: this.display }; }

  /** `xdotool ARGS` on this display. */
  xdotool(...args) {
    const r = run('xdotool', args, { env: this.env(), timeout: 10000 });
    if (r.code !== 0) throw new Error(`xdotool ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }
}

/**
 * Everything one test starts: its temp dir and BECKON_HOME, processes, the
 * browser, its pages, and the screenshots of its steps.
 */
export class World {
  constructor(name) {
    this.name = name;
    this.slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beckon-web-'));
    this.home = path.join(this.dir, 'home');
    fs.mkdirSync(this.home, { mode: 0o700 });
    this.procs = [];
    this.pages = {};
    this.shots = path.join(OUTPUT, this.slug);
    fs.rmSync(this.shots, { recursive: true, force: true });
    fs.mkdirSync(this.shots, { recursive: true });
    this.step = 0;
    this.closers = [];
  }

  path(...p) { return path.join(this.dir, ...p); }

  track(proc) { this.procs.push(proc); return proc; }

  env(extra = {}) { return { ...process.env, BECKON_HOME: this.home, ...extra }; }

  /** Run `beckon ARGS` to its end. */
  beckon(args, input = '') {
    return run(BECKON_BIN, args, { input, env: this.env(), cwd: this.dir });
  }

  /** Start `beckon ARGS` and keep it running. */
  spawnBeckon(name, args, extraEnv = {}) {
    return this.track(new Proc(name, BECKON_BIN, args, { env: this.env(extraEnv), cwd: this.dir }));
  }

  /** Make an invitation; returns { file, text }. */
  invite({ password = 'tulip', name = 'Oma', port }) {
    const file = this.path('invitation.beckon');
    const args = ['invite', '--name', name, '--out', file, '--address', `127.0.0.1:${port}`];
    if (password !== null) args.splice(1, 0, '--password-stdin');
    const r = this.beckon(args, password !== null ? `${password}\n` : '');
    if (r.code !== 0) throw new Error(`beckon invite failed (${r.code}): ${r.stderr}`);
    const text = (r.stdout.match(/beckon1:\S+/) || [])[0];
    if (!text) throw new Error(`beckon invite printed no beckon1: text: ${r.stdout}`);
    return { file, text };
  }

  /** `beckon settings --allow-control on` (control is off until the owner allows it). */
  allowControl() {
    const r = this.beckon(['settings', '--allow-control', 'on']);
    if (r.code !== 0) throw new Error(`beckon settings failed (${r.code}): ${r.stderr}`);
  }

  /**
   * `beckon share` on `display` listening on `port`. With `panel`, also
   * serve the panel and return its URL; without it, the person's answers
   * come from `--yes` (FALLBACK while the panel is missing) and the terminal.
   */
  async share({ display, port, panel, downloads, yes = false }) {
    const args = ['share', '--display', display, '--listen', `127.0.0.1:${port}`];
    if (downloads) args.push('--download-dir', downloads);
    if (panel) args.push('--no-browser');
    if (yes) args.push('--yes');
    const p = this.spawnBeckon('beckon share', args, { DISPLAY: display });
    let url = null;
    if (panel) url = (await p.waitOutput(/Panel: (http:\/\/127\.0\.0\.1:\d+\/\?t=\S+)/, 'its Panel: link'))[1];
    else await this.waitListening(port, p);
    return { proc: p, url };
  }

  /** Wait until something accepts TCP connections on 127.0.0.1:port. */
  async waitListening(port, proc) {
    await waitFor(`${proc ? proc.name : 'a server'} to listen on 127.0.0.1:${port}`, () => {
      if (proc && proc.exited) throw new Error(`${proc.name} exited: ${proc.tail()}`);
      return new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => { s.destroy(); resolve(true); });
        s.once('error', () => resolve(false));
      });
    });
  }

  /** `beckon connect FILE --no-browser …`; returns { proc, url, port, token }. */
  async connect({ invitation, downloads, name = 'Henk', lang }) {
    const args = ['connect', invitation, '--no-browser', '--name', name, '--layout', 'us'];
    if (downloads) args.push('--download-dir', downloads);
    if (lang) args.push('--lang', lang);
    const p = this.spawnBeckon('beckon connect', args);
    const url = (await p.waitOutput(/Console: (http:\/\/127\.0\.0\.1:\d+\/\?t=\S+)/, 'its Console: link'))[1];
    const u = new URL(url);
    return { proc: p, url, port: Number(u.port), token: u.searchParams.get('t') };
  }

  /** An xterm at the top left running `cat > file`: typed text lands in `file`. */
  async xterm(x, file) {
    const p = this.track(new Proc('xterm', 'xterm', ['-display', x.display, '-geometry', '80x20+0+0', '-e', 'sh', '-c', `cat > '${file}'`], { env: x.env() }));
    await waitFor('the xterm window to be mapped', () => {
      if (p.exited) throw new Error(`xterm exited: ${p.tail()}`);
      const r = run('xdotool', ['search', '--onlyvisible', '--class', 'xterm'], { env: x.env(), timeout: 5000 });
      return r.stdout.trim() !== '';
    });
    return p;
  }

  /** An `xev` window (300x200 at +800+400) whose event log shows clicks it received. */
  async xev(x) {
    const p = this.track(new Proc('xev', 'xev', ['-display', x.display, '-geometry', '300x200+800+400', '-event', 'button'], { env: x.env() }));
    await waitFor('the xev window to be mapped', () => {
      if (p.exited) throw new Error(`xev exited: ${p.tail()}`);
      const r = run('xdotool', ['search', '--onlyvisible', '--name', 'Event Tester'], { env: x.env(), timeout: 5000 });
      return r.stdout.trim() !== '';
    });
    return p;
  }

  async browser() {
    if (!this.br) {
      this.br = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    }
    return this.br;
  }

  /** A new page (own context) under `role` ("console", "panel", …), screenshotted at each step. */
  async page(role, url, { viewport = { width: 1500, height: 1000 } } = {}) {
    const br = await this.browser();
    const ctx = await br.newContext({ viewport, acceptDownloads: false });
    const page = await ctx.newPage();
    page.beckonLog = [];
    page.on('console', (m) => page.beckonLog.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => page.beckonLog.push(`[pageerror] ${e.message}`));
    this.pages[role] = page;
    if (url) await page.goto(url, { timeout: LIMIT });
    return page;
  }

  /** Screenshot every open page as `NN-step-role.png`. */
  async shot(step) {
    this.step += 1;
    const nn = String(this.step).padStart(2, '0');
    const label = step.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    for (const [role, page] of Object.entries(this.pages)) {
      if (page.isClosed()) continue;
      try {
        await page.screenshot({ path: path.join(this.shots, `${nn}-${label}-${role}.png`), timeout: 5000 });
      } catch { /* a failed screenshot must not hide the real failure */ }
    }
  }

  /** What a reader of a failed run needs. */
  async report(error, where = '') {
    await this.shot(`failed ${where}`);
    const lines = [`\n--- ${this.name}${where ? ` / ${where}` : ''} failed: ${error && error.message}`, `screenshots: ${this.shots}`];
    for (const p of this.procs) lines.push(`${p.name} (pid ${p.pid}, exit ${JSON.stringify(p.exited)}): ${p.tail(3000)}`);
    for (const [role, page] of Object.entries(this.pages)) {
      lines.push(`${role} page log: ${JSON.stringify(page.beckonLog.slice(-30))}`);
    }
    const text = lines.join('\n');
    fs.appendFileSync(path.join(this.shots, 'failure.txt'), text);
    console.error(text);
  }

  /** Stop everything this test started, newest first. */
  async close() {
    for (const c of this.closers.reverse()) { try { await c(); } catch { /* keep closing */ } }
    if (this.br) { try { await this.br.close(); } catch { /* gone */ } }
    for (const p of [...this.procs].reverse()) await p.stop();
    if (!process.env.BECKON_E2E_KEEP) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A test with its own World: cleaned up in every case, with the screenshot
 * folder and the processes' output printed when it fails.
 */
export function e2e(name, opts, fn) {
  if (typeof opts === 'function') { fn = opts; opts = {}; }
  test(name, { timeout: 180000, ...opts }, async (t) => {
    const w = new World(name);
    t.after(() => w.close());
    try {
      await fn(t, w);
    } catch (e) {
      if (!e.reported) await w.report(e);
      throw e;
    }
  });
}

/**
 * Ordered steps inside one test: each is a subtest with a screenshot after
 * it. A step runs only if the steps it `needs` (names; default: every
 * earlier step) passed, else it is skipped saying which one failed. Call
 * `step.check()` at the end so the parent test fails too.
 */
export function steps(t, w) {
  const passed = new Set();
  const failed = [];
  const done = [];
  const step = async (name, opts, fn) => {
    if (typeof opts === 'function') { fn = opts; opts = {}; }
    const needs = opts.needs || [...done];
    done.push(name);
    if (opts.skip) {
      await t.test(name, { skip: opts.skip }, () => {});
      return;
    }
    const missing = needs.filter((n) => !passed.has(n));
    if (missing.length) {
      await t.test(name, { skip: `needs a step that did not pass: ${missing.join('; ')}` }, () => {});
      failed.push(name);
      return;
    }
    await t.test(name, async () => {
      try {
        await fn();
        passed.add(name);
        await w.shot(name);
      } catch (e) {
        failed.push(name);
        await w.report(e, name);
        throw e;
      }
    });
  };
  step.check = () => {
    if (failed.length) {
      const e = new Error(`steps that failed or could not run: ${failed.join('; ')} (screenshots: ${w.shots})`);
      e.reported = true;
      throw e;
    }
  };
  return step;
}

// ---- page helpers -----------------------------------------------------------

/** Wait until `body[data-KEY]` of the page equals `value` (or passes `value(v)`). */
export async function waitBody(page, key, value, what, timeout = LIMIT) {
  const ok = typeof value === 'function' ? value : (v) => v === value;
  return waitFor(what || `body[data-${key}] to be ${value}`, async () => {
    const v = await page.evaluate((k) => document.body.dataset[k], key);
    return ok(v) ? (v ?? true) : null;
  }, { timeout });
}

/** Wait until the text of `selector` matches `re`. */
export async function waitText(page, selector, re, what, timeout = LIMIT) {
  return waitFor(what || `${selector} to show ${re}`, async () => {
    const txt = await page.evaluate((s) => {
      const el = document.querySelector(s);
      return el ? el.textContent : null;
    }, selector);
    return txt !== null && re.test(txt) ? txt : null;
  }, { timeout });
}

/** Whether an element is shown (exists, not `.hidden`, has a box). */
export async function isShown(page, selector) {
  return page.evaluate((s) => {
    const el = document.querySelector(s);
    if (!el) return false;
    if (el.closest('.hidden')) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  }, selector);
}

/** How many different colours the canvas shows (sampled), read back with getImageData. */
export async function canvasColours(page, selector = '#screen') {
  return page.evaluate((s) => {
    const c = document.querySelector(s);
    if (!c || !c.width || !c.height) return 0;
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    const step = Math.max(4, Math.floor(d.length / 4 / 20000) * 4);
    for (let i = 0; i < d.length; i += step) {
      seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      if (seen.size > 16) break;
    }
    return seen.size;
  }, selector);
}
