// The story of one session, in real browsers against the real processes on
// a real X display: the helper's console (`beckon connect`) and the
// person's panel (`beckon share`).
//
// While the panel does not exist yet (no `share --no-browser`, or an empty
// panel.html), the person's side falls back to `share --yes` and share's
// terminal (FALLBACK, clearly marked below), and the panel-only steps are
// skipped with the reason. BECKON_PANEL=1 / =0 forces either way.

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  LIMIT, Xvfb, canvasColours, e2e, freePort, isShown, noPanelReason, panelAvailable, steps, waitBody, waitFor, waitText,
} from './harness.mjs';

const PANEL = panelAvailable();
const NO_PANEL = noPanelReason();

const sha = (buf) => crypto.createHash('sha256').update(buf).digest('hex');

/** A file somewhere under `dir` with these bytes (by hash), or null. */
function findFile(dir, hash) {
  if (!fs.existsSync(dir)) return null;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const f = findFile(p, hash);
      if (f) return f;
    } else if (e.isFile() && sha(fs.readFileSync(p)) === hash) {
      return p;
    }
  }
  return null;
}

/** The row of a file in `#file-list` whose text names `name`. */
const fileRow = (page, name) => page.locator('#file-list li[data-file-id]').filter({ hasText: name });

/** Wait for the row of `name`, click its Accept button, wait until it is done and return its progress. */
async function acceptFile(page, name, who) {
  const row = fileRow(page, name);
  await waitFor(`${who}: the file ${name} in #file-list with an Accept button`, async () => (await row.count()) === 1 && (await row.locator('button').count()) >= 2);
  // The first of Accept/Decline is Accept (common.js filesView); press it by its text in any language.
  await row.locator('button').first().click();
  return waitFor(`${who}: the file ${name} to be transferred in full (progress value = max)`, async () => {
    const p = await row.locator('progress').evaluate((el) => ({ value: el.value, max: el.max }));
    return p.max > 0 && p.value >= p.max ? p : null;
  }, { timeout: 30000 });
}

/** Pick `file` in the page's hidden file input (as the Send file button would). */
async function sendFile(page, file) {
  await page.setInputFiles('#file-input', file);
}

e2e('session: helper and person in their pages, on a real X display', { timeout: 300000 }, async (t, w) => {
  const step = steps(t, w);
  const x = await Xvfb.start(w);
  const typed = w.path('typed.txt');
  await w.xterm(x, typed);
  const xev = await w.xev(x);
  const port = await freePort();
  const personDl = w.path('person-downloads');
  const helperDl = w.path('helper-downloads');
  fs.mkdirSync(personDl);
  fs.mkdirSync(helperDl);
  w.allowControl();
  const inv = w.invite({ password: 'tulip', name: 'Oma', port });
  // FALLBACK without the panel: --yes answers the session and control questions.
  const share = await w.share({ display: x.display, port, panel: PANEL, downloads: personDl, yes: !PANEL });
  const panel = PANEL ? await w.page('panel', share.url) : null;
  const c = await w.connect({ invitation: inv.file, downloads: helperDl });
  const con = await w.page('console', c.url);
  await w.shot('start');

  await step('the helper enters the password in the console', { needs: [] }, async () => {
    await waitBody(con, 'phase', 'password', 'the console to ask for the password (body[data-phase=password])');
    assert.ok(await isShown(con, '#password-form'), '#password-form is shown');
    await con.fill('#password', 'tulip');
    await con.click('#password-submit');
    await waitBody(con, 'phase', (v) => v && v !== 'password', 'the console to leave the password phase');
    assert.equal(await isShown(con, '#password-error'), false, 'no #password-error for the right password');
  });

  const PASSWORD = 'the helper enters the password in the console';
  const ACCEPT = 'the person accepts in the panel';
  const SCREEN = 'the console shows the person\'s screen';
  const CONTROL = 'the helper requests control and the person allows it';
  const TYPE = 'the helper types; the text reaches the X client (xterm)';
  const CLICK = 'the helper clicks; the click reaches the X client (xev)';
  const live = PANEL ? [PASSWORD, ACCEPT] : [PASSWORD];

  await step(ACCEPT, { skip: NO_PANEL, needs: [PASSWORD] }, async () => {
    await waitFor('the panel to show the question (#ask with #ask-yes)', () => isShown(panel, '#ask-yes'));
    await waitText(panel, '#ask-text', /Henk/, '#ask-text to name the helper Henk');
    await panel.click('#ask-yes');
    await waitFor('the question to go away in the panel', async () => !(await isShown(panel, '#ask-yes')));
  });

  await step(SCREEN, { needs: live }, async () => {
    await waitBody(con, 'phase', 'live', 'the console to go live (body[data-phase=live])', 30000);
    const frames = await waitBody(con, 'frames', (v) => Number(v) > 0, 'a frame drawn in the console (body[data-frames] > 0)', 30000);
    assert.ok(Number(frames) > 0);
    const size = await con.evaluate(() => [document.getElementById('screen').width, document.getElementById('screen').height]);
    assert.deepEqual(size, [1280, 800], 'the canvas has the display\'s size');
    const colours = await waitFor('the canvas to show more than one colour (xterm on the root window)', async () => {
      const n = await canvasColours(con);
      return n > 1 ? n : null;
    });
    assert.ok(colours > 1);
    await waitText(con, '#st-novice', /Oma/, '#st-novice to name Oma');
    await waitText(con, '#st-helper', /Henk/, '#st-helper to name Henk');
  });

  await step('the decoder\'s JPEG worker loads and runs under the console\'s CSP', { needs: [SCREEN] }, async () => {
    // decoder.js decodes photographic tiles in Web Workers: the worker
    // script must pass the server's guard (token in the query) and the CSP
    // (worker-src falls back to script-src 'self'), and instantiate the
    // module it is sent ('wasm-unsafe-eval' in its own CSP).
    const answer = await con.evaluate(() => new Promise((resolve) => {
      const w = new Worker(Beckon.assetUrl('decoder-worker.js'));
      w.onerror = (e) => resolve(`worker error: ${e.message ?? 'did not load'}`);
      w.onmessage = (e) => resolve(e.data.trap ?? (e.data.failed === -1 ? 'ok' : JSON.stringify(e.data)));
      WebAssembly.compileStreaming(fetch(Beckon.assetUrl('decoder.wasm'))).then((module) => {
        w.postMessage({ module });
        w.postMessage({ id: 1, data: new ArrayBuffer(0), tiles: new Uint32Array(0) });
      }, (e) => resolve(`compile: ${e}`));
      setTimeout(() => resolve('no answer from the worker in 10 s'), 10000);
    }));
    assert.equal(answer, 'ok');
  });

  await step(CONTROL, { needs: live }, async () => {
    await con.click('#btn-control');
    if (PANEL) {
      await waitFor('the panel to ask about control (#ask-yes)', () => isShown(panel, '#ask-yes'));
      // Keyboard alone: the question takes the focus, Enter answers it.
      await waitFor('the control question to have the keyboard focus (#ask-yes)', () => panel.evaluate(() => document.activeElement && document.activeElement.id === 'ask-yes'));
      const question = await panel.textContent('#ask-text');
      assert.match(question, /Esc/, 'the control question names Esc');
      assert.match(question, /Ctrl\+C/, 'the control question names Ctrl+C');
      assert.match(question, /Stop control/, 'the control question names the Stop control button');
      await panel.keyboard.press('Enter');
    } // FALLBACK: share --yes allows control without asking.
    await waitBody(con, 'permission', 'control', 'the console to have control (body[data-permission=control])');
    if (PANEL) await waitFor('the panel to show #control-banner', () => isShown(panel, '#control-banner'));
  });

  await step(TYPE, { needs: [CONTROL] }, async () => {
    // The person's pointer rests in the xterm (no window manager: focus follows the pointer).
    x.xdotool('mousemove', '120', '60');
    await con.focus('#screen');
    await waitFor('the canvas to take the keyboard (#capture says so)', () => con.evaluate(() => document.activeElement && document.activeElement.id === 'screen' && document.getElementById('capture').classList.contains('on')));
    await con.keyboard.type('hello beckon', { delay: 30 });
    await con.keyboard.press('Enter');
    await waitFor(`"hello beckon" to arrive in the xterm (${typed})`, () => fs.existsSync(typed) && fs.readFileSync(typed, 'utf8').includes('hello beckon\n'));
    assert.equal(fs.readFileSync(typed, 'utf8'), 'hello beckon\n', 'exactly the typed line reached the X client');
  });

  await step(CLICK, { needs: [CONTROL, SCREEN] }, async () => {
    const box = await con.locator('#screen').boundingBox();
    assert.ok(box && box.width > 0, 'the canvas has a box');
    // A point inside the xev window (300x200 at +800+400), in display pixels → page pixels.
    const sx = 950; const sy = 500;
    await con.mouse.click(box.x + (sx / 1280) * box.width, box.y + (sy / 800) * box.height);
    await waitFor('the pointer on the display to move to the clicked point', () => {
      const out = x.xdotool('getmouselocation', '--shell');
      const mx = Number(/X=(\d+)/.exec(out)[1]); const my = Number(/Y=(\d+)/.exec(out)[1]);
      return Math.abs(mx - sx) <= 3 && Math.abs(my - sy) <= 3;
    });
    await xev.waitOutput(/ButtonPress event[\s\S]*button 1[\s\S]*ButtonRelease event/, 'xev to log a left ButtonPress and ButtonRelease');
    assert.equal(await con.evaluate(() => document.activeElement && document.activeElement.id), 'screen', 'the click gives the canvas the keyboard');
  });

  await step('a relative mouse (for BIOS screens) moves the pointer by movements, and switches back', { needs: [CLICK] }, async () => {
    const where = () => {
      const out = x.xdotool('getmouselocation', '--shell');
      return [Number(/X=(\d+)/.exec(out)[1]), Number(/Y=(\d+)/.exec(out)[1])];
    };
    await con.click('#btn-mouse');
    await waitFor('the mouse switch to show relative (#btn-mouse[aria-pressed=true])', () => con.evaluate(() => document.getElementById('btn-mouse').getAttribute('aria-pressed') === 'true'));
    const [x0, y0] = where();
    // A movement, as the browser reports it under pointer lock (headless
    // Chromium may refuse the lock itself; movements count without it).
    await con.evaluate(() => document.getElementById('screen').dispatchEvent(new MouseEvent('mousemove', { movementX: 30, movementY: 20, bubbles: true })));
    await waitFor(`the display's pointer to move right and down from ${x0},${y0}`, () => {
      const [x1, y1] = where();
      return x1 > x0 && y1 > y0;
    });
    await con.click('#btn-mouse');
    await waitFor('the mouse switch to show absolute again', () => con.evaluate(() => document.getElementById('btn-mouse').getAttribute('aria-pressed') === 'false'));
  });

  await step('paste as keystrokes: typed through the person\'s layout; what it cannot type is refused whole', { needs: [TYPE] }, async () => {
    // The pointer back over the xterm, so its window has the keyboard. That
    // is the person's own input: it holds the helper's input back for the
    // grace period (500 ms), so wait it out before pasting.
    x.xdotool('mousemove', '120', '60');
    await con.waitForTimeout(800);
    await con.click('#btn-paste');
    // A textarea keeps the newline: it is typed as Enter, which hands the
    // line to `cat`.
    await con.fill('#paste-text', 'pasted: a/b=c?\n');
    await con.click('#paste-submit');
    await waitFor(`the pasted text to arrive in the xterm (${typed})`, () => fs.readFileSync(typed, 'utf8').includes('pasted: a/b=c?\n'));
    // The euro sign is not on the US layout the person's machine uses.
    await con.click('#btn-paste');
    await con.fill('#paste-text', 'costs 5€');
    await con.click('#paste-submit');
    await waitText(con, '#notice', /€/, 'the console to say the € cannot be typed on the person\'s layout');
    await w.shot('paste-refused');
    assert.ok(!fs.readFileSync(typed, 'utf8').includes('costs'), 'nothing of a refused text was typed');
  });

  const ESC = 'the person presses Esc on the display; control ends in both pages';
  await step(ESC, { needs: [CONTROL] }, async () => {
    x.xdotool('key', 'Escape');
    await waitBody(con, 'permission', (v) => v && v !== 'control', 'the console to lose control after the person\'s Esc');
    if (PANEL) await waitFor('the panel to hide #control-banner', async () => !(await isShown(panel, '#control-banner')));
  });

  await step('the console\'s #notice says who ended control and how (Oma, Esc)', { needs: [ESC] }, async () => {
    const notice = await waitText(con, '#notice', /Oma.*Esc/, '#notice to say Oma took control back with Esc', 10000);
    assert.match(notice, /Oma/);
  });

  await step('chat: helper to person', { needs: live }, async () => {
    await con.fill('#chat-input', 'Hallo Oma, ik kijk mee');
    await con.press('#chat-input', 'Enter');
    await waitText(con, '#chat-list', /Hallo Oma, ik kijk mee/, 'the console\'s own chat line');
    assert.equal(await con.inputValue('#chat-input'), '', 'the chat input is emptied after sending');
    if (PANEL) await waitText(panel, '#chat-list', /Henk.*Hallo Oma, ik kijk mee/, 'the panel to show Henk\'s chat line');
    else await share.proc.waitOutput(/Hallo Oma, ik kijk mee/, 'the helper\'s chat line (FALLBACK: share\'s terminal)');
  });

  await step('chat: person to helper', { needs: live }, async () => {
    if (PANEL) {
      await panel.fill('#chat-input', 'Dag Henk!');
      await panel.press('#chat-input', 'Enter');
    } else {
      share.proc.say('chat Dag Henk!'); // FALLBACK: share's terminal command
    }
    await waitText(con, '#chat-list', /Oma.*Dag Henk!/, 'the console to show Oma\'s chat line');
  });

  const big = crypto.randomBytes(3 * 1024 * 1024 + 123);
  const fromPerson = w.path('photo-from-oma.bin');
  fs.writeFileSync(fromPerson, big);
  await step('a file from the person, accepted in the console, arrives intact', { needs: live }, async () => {
    if (PANEL) await sendFile(panel, fromPerson);
    else share.proc.say(`send-file ${fromPerson}`); // FALLBACK: share's terminal command
    const p = await acceptFile(con, 'photo-from-oma.bin', 'console');
    assert.equal(p.max, big.length, 'the progress max is the file size');
    const got = await waitFor(`the file to arrive intact in ${helperDl}`, () => findFile(helperDl, sha(big)), { timeout: 30000 });
    assert.equal(path.basename(got), 'photo-from-oma.bin');
  });

  const small = crypto.randomBytes(700 * 1024 + 7);
  const fromHelper = w.path('notes-from-henk.txt');
  fs.writeFileSync(fromHelper, small);
  await step('a file from the helper, accepted in the panel, arrives intact', { skip: NO_PANEL, needs: live }, async () => {
    await sendFile(con, fromHelper);
    await waitFor('the console to list the file it sends', async () => (await fileRow(con, 'notes-from-henk.txt').count()) === 1);
    await acceptFile(panel, 'notes-from-henk.txt', 'panel');
    const got = await waitFor(`the file to arrive intact in ${personDl}`, () => findFile(personDl, sha(small)), { timeout: 30000 });
    assert.equal(path.basename(got), 'notes-from-henk.txt');
    await waitFor('the console to show the file done (progress value = max)', async () => {
      const pr = await fileRow(con, 'notes-from-henk.txt').locator('progress').evaluate((el) => el.value >= el.max && el.max > 0);
      return pr;
    });
  });

  const english = {};
  // Texts that differ in every language ("Chat" and "Status" are the same in nl/de/nb).
  const ids = ['#btn-disconnect', '#btn-control', '#btn-file', '#files-heading', '#btn-settings', '#btn-help'];
  await step('the console switches language (nl, de, nb, back to en)', { needs: [] }, async () => {
    for (const id of ids) english[id] = (await con.textContent(id)).trim();
    assert.equal(english['#btn-disconnect'], 'Disconnect');
    for (const lang of ['nl', 'de', 'nb']) {
      await con.selectOption('#lang', lang);
      await waitFor(`the console's <html lang> to become ${lang}`, () => con.evaluate((l) => document.documentElement.lang === l, lang));
      for (const id of ids) {
        const txt = await waitFor(`console ${id} to be translated to ${lang} (not "${english[id]}")`, async () => {
          const s = (await con.textContent(id)).trim();
          return s && s !== english[id] && !/^[a-z0-9-]+$/.test(s) ? s : null;
        }, { timeout: 5000 });
        assert.notEqual(txt, english[id]);
      }
      await w.shot(`console-in-${lang}`);
    }
    await con.selectOption('#lang', 'en');
    await waitText(con, '#btn-disconnect', /^Disconnect$/, 'the console back in English');
  });

  await step('the panel switches language (nl, de, nb, back to en)', { skip: NO_PANEL, needs: [] }, async () => {
    const pids = ['#btn-disconnect', '#btn-file'];
    const en = {};
    for (const id of pids) en[id] = (await panel.textContent(id)).trim();
    for (const lang of ['nl', 'de', 'nb']) {
      await panel.selectOption('#lang', lang);
      await waitFor(`the panel's <html lang> to become ${lang}`, () => panel.evaluate((l) => document.documentElement.lang === l, lang));
      for (const id of pids) {
        await waitFor(`panel ${id} to be translated to ${lang} (not "${en[id]}")`, async () => {
          const s = (await panel.textContent(id)).trim();
          return s && s !== en[id] && !/^[a-z0-9-]+$/.test(s);
        }, { timeout: 5000 });
      }
      await w.shot(`panel-in-${lang}`);
    }
    await panel.selectOption('#lang', 'en');
  });

  await step('every control of both pages has a label a screen reader can say', { needs: [] }, async () => {
    for (const [name, page] of [['console', con], ['panel', panel]]) {
      if (!page) continue;
      const unnamed = await page.evaluate(() => {
        const named = (el) => {
          if ((el.getAttribute('aria-label') || '').trim()) return true;
          if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
          const by = el.getAttribute('aria-labelledby');
          if (by && by.split(' ').some((id) => document.getElementById(id)?.textContent.trim())) return true;
          if (el.closest('label') && el.closest('label').textContent.trim()) return true;
          return ['BUTTON', 'A'].includes(el.tagName) && el.textContent.trim().length > 0;
        };
        return [...document.querySelectorAll('button, input, select, textarea, canvas, a[href]')]
          .filter((el) => el.type !== 'hidden' && !el.classList.contains('hidden') && !named(el))
          .map((el) => el.id || el.outerHTML.slice(0, 80));
      });
      assert.deepEqual(unnamed, [], `the ${name}'s controls without a label`);
    }
  });

  await step('both pages fit a phone-sized window and 1280x720', { needs: [] }, async () => {
    for (const [name, page] of [['console', con], ['panel', panel]]) {
      if (!page) continue;
      for (const [width, height] of [[390, 844], [1280, 720]]) {
        await page.setViewportSize({ width, height });
        await page.waitForTimeout(200);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the ${name} is ${overflow} px wider than a ${width} px window`);
        await w.shot(`${name}-${width}x${height}`);
      }
      await page.setViewportSize({ width: 1500, height: 1000 });
    }
  });

  await step('SES-11: help is one click away on the console and the panel', { needs: [] }, async () => {
    for (const [name, page] of [['console', con], ['panel', panel]]) {
      if (!page) continue;
      await page.click('#btn-help');
      await waitFor(`the ${name}'s help dialog to open`, () => page.evaluate(() => document.getElementById('help-dialog').open));
      const text = await page.textContent('#help-dialog');
      assert.ok(text.trim().length > 100, `the ${name}'s help says something (${text.length} characters)`);
      await w.shot(`help-${name}`);
      await page.keyboard.press('Escape');
      await waitFor(`the ${name}'s help dialog to close with Esc`, () => page.evaluate(() => !document.getElementById('help-dialog').open));
    }
  });

  await step('the console\'s settings show the measured link and take a fixed quality', { needs: live }, async () => {
    await con.click('#btn-settings');
    await waitText(con, '#stats', /kbit\/s/, 'the settings to show the measured kbit/s, frames/s and round trip');
    await con.check('#q-manual');
    await waitFor('the quality level slider to be enabled', () => con.evaluate(() => !document.getElementById('q-level').disabled));
    await w.shot('settings');
    await con.check('#q-auto');
    await con.keyboard.press('Escape');
  });

  await step('the helper disconnects; both pages show the end', { needs: live }, async () => {
    await con.click('#btn-disconnect');
    await waitBody(con, 'phase', 'ended', 'the console to end (body[data-phase=ended])');
    await waitFor('the console to show #ended', () => isShown(con, '#ended'));
    if (PANEL) {
      await waitFor('the panel to say the session with Henk ended (#panel-notice or #sessions)', async () => {
        const s = await panel.evaluate(() => `${document.getElementById('panel-notice')?.textContent} ${document.getElementById('sessions')?.textContent}`);
        return /Henk/.test(s) && /hung up|ended/i.test(s);
      });
    }
  });

  step.check();
});
