// The helper's console: draws the person's screen, sends keys and pointer
// while control is shared, and shows what Beckon says. All decisions stay
// in Beckon; this page reports what the helper does.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const canvas = $('screen');
  let state = null;
  let decoder = null;
  let decoderFailed = false;
  const waiting = [];
  let capture = false;
  const held = new Set();
  let screenW = 0;
  let screenH = 0;
  let cursor = null;
  let pendingMove = null;
  let frames = 0;

  // ---- the picture -------------------------------------------------------

  async function loadDecoder() {
    try {
      const mod = await import(Beckon.assetUrl('decoder.js'));
      decoder = await mod.createDecoder(Beckon.assetUrl('decoder.wasm'));
      while (waiting.length) frame(waiting.shift());
    } catch (e) {
      decoderFailed = true;
      console.error('screen decoder', e);
      render();
    }
  }

  // `apply` decodes messages one after the other, in the order they came,
  // and resolves in that order.
  async function frame(buf) {
    const r = await decoder.apply(buf);
    if (!r.ok) {
      console.warn('a frame was refused:', r.error);
      return;
    }
    if (r.width !== screenW || r.height !== screenH) {
      screenW = r.width;
      screenH = r.height;
    }
    decoder.draw(canvas);
    if (r.cursor) cursor = r.cursor;
    frames += 1;
    document.body.dataset.frames = String(frames);
    $('screen-empty').classList.add('hidden');
    placeCursor();
  }

  Beckon.onBinary((buf) => {
    if (decoder) frame(buf);
    else if (!decoderFailed) waiting.push(buf);
  });

  function placeCursor() {
    const c = $('cursor');
    if (!cursor || !screenW) {
      c.classList.add('hidden');
      return;
    }
    const box = $('screen-box').getBoundingClientRect();
    const r = canvas.getBoundingClientRect();
    c.style.left = `${r.left - box.left + (cursor[0] / screenW) * r.width}px`;
    c.style.top = `${r.top - box.top + (cursor[1] / screenH) * r.height}px`;
    c.classList.remove('hidden');
  }
  window.addEventListener('resize', placeCursor);

  // ---- keyboard and pointer ----------------------------------------------

  function inControl() {
    return !!(state && state.in_control);
  }

  function setCapture(on) {
    if (!on) releaseKeys();
    capture = on && inControl();
    renderCapture();
  }

  function releaseKeys() {
    for (const code of held) Beckon.send({ t: 'key', code, down: false });
    held.clear();
  }

  canvas.addEventListener('focus', () => setCapture(true));
  canvas.addEventListener('blur', () => setCapture(false));
  canvas.addEventListener('keydown', (e) => {
    if (!capture) return;
    e.preventDefault();
    if (e.ctrlKey && e.altKey && e.shiftKey) {
      // The visible way back: the browser gets its keyboard again.
      setCapture(false);
      canvas.blur();
      return;
    }
    held.add(e.code);
    Beckon.send({ t: 'key', code: e.code, down: true });
  });
  canvas.addEventListener('keyup', (e) => {
    if (!capture) return;
    e.preventDefault();
    if (held.delete(e.code)) Beckon.send({ t: 'key', code: e.code, down: false });
  });

  function screenPoint(e) {
    const r = canvas.getBoundingClientRect();
    if (!r.width || !r.height) return null;
    return {
      x: ((e.clientX - r.left) / r.width) * screenW,
      y: ((e.clientY - r.top) / r.height) * screenH,
    };
  }

  // A relative mouse (BIOS screens) gets movements, not positions. A
  // click locks the browser's pointer to the canvas so it cannot run off
  // the edge; the browser's Esc frees it.
  let pendingRel = null;
  function relative() {
    return !!(state && state.relative_pointer);
  }
  function moveBy(e) {
    if (!e.movementX && !e.movementY) return;
    if (!pendingRel) {
      pendingRel = { dx: 0, dy: 0 };
      requestAnimationFrame(() => {
        Beckon.send({ t: 'pointer_rel', dx: pendingRel.dx, dy: pendingRel.dy });
        pendingRel = null;
      });
    }
    pendingRel.dx += e.movementX;
    pendingRel.dy += e.movementY;
  }

  canvas.addEventListener('mousemove', (e) => {
    if (!inControl() || !screenW) return;
    if (relative()) return moveBy(e);
    const p = screenPoint(e);
    if (!p) return;
    // One move per animation frame is plenty, and keeps the link free.
    if (!pendingMove) requestAnimationFrame(() => {
      Beckon.send({ t: 'pointer', x: pendingMove.x, y: pendingMove.y });
      pendingMove = null;
    });
    pendingMove = p;
  });
  const BUTTONS = { 0: 0, 1: 2, 2: 1, 3: 3, 4: 4 }; // browser → HID order
  function button(e, down) {
    if (!inControl() || !screenW) return;
    e.preventDefault();
    if (down) canvas.focus();
    if (relative()) {
      if (down && document.pointerLockElement !== canvas && canvas.requestPointerLock) {
        // Not every browser allows it (headless ones may refuse); movements
        // over the canvas still count without the lock.
        Promise.resolve(canvas.requestPointerLock()).catch(() => {});
      }
    } else {
      const p = screenPoint(e);
      if (p) Beckon.send({ t: 'pointer', x: p.x, y: p.y });
    }
    Beckon.send({ t: 'button', button: BUTTONS[e.button] ?? 0, down });
  }
  canvas.addEventListener('mousedown', (e) => button(e, true));
  canvas.addEventListener('mouseup', (e) => button(e, false));
  canvas.addEventListener('contextmenu', (e) => { if (inControl()) e.preventDefault(); });
  canvas.addEventListener('wheel', (e) => {
    if (!inControl()) return;
    e.preventDefault();
    Beckon.send({ t: 'wheel', dx: Math.sign(e.deltaX), dy: -Math.sign(e.deltaY) });
  }, { passive: false });

  // ---- what Beckon says --------------------------------------------------

  function show(el, on) {
    el.classList.toggle('hidden', !on);
  }

  function renderCapture() {
    const hint = $('capture');
    if (!inControl()) {
      hint.textContent = state && state.phase === 'live' ? Beckon.t('capture-view') : '';
      hint.classList.remove('on');
    } else {
      hint.textContent = Beckon.t(capture ? 'capture-on' : 'capture-off');
      hint.classList.toggle('on', capture);
    }
    canvas.classList.toggle('control', inControl());
  }

  function render() {
    if (!state) return;
    const s = state;
    $('st-helper').textContent = s.helper;
    $('st-novice').textContent = s.novice || '–';
    $('st-conn').textContent = s.connection;
    $('st-permission').textContent = s.permission_text;
    // Only machines that report their lock lights (a dongle) show the row.
    $('st-keyboard').textContent = s.keyboard || '';
    $('st-keyboard').hidden = $('st-keyboard-label').hidden = !s.keyboard;
    document.body.dataset.phase = s.phase;
    document.body.dataset.permission = s.permission;
    const control = $('btn-control');
    control.textContent = s.control_button;
    control.disabled = !(s.in_control || s.can_request);
    $('btn-paste').disabled = !s.in_control;
    const mouse = $('btn-mouse');
    mouse.setAttribute('aria-pressed', String(!!s.relative_pointer));
    mouse.disabled = s.phase !== 'live';
    if (!s.relative_pointer && document.pointerLockElement === canvas) document.exitPointerLock();
    $('btn-disconnect').disabled = s.phase === 'ended';
    const notice = $('notice');
    notice.textContent = s.notice || '';
    notice.classList.toggle('bad', !!s.notice_bad);
    show(notice, !!s.notice);
    show($('decoder-error'), decoderFailed || !s.decoder);
    const pw = $('password-form');
    const wasHidden = pw.classList.contains('hidden');
    show(pw, s.phase === 'password');
    if (s.phase === 'password' && wasHidden) $('password').focus();
    const err = $('password-error');
    err.textContent = s.password_error || '';
    show(err, !!s.password_error);
    show($('ended'), s.phase === 'ended');
    $('ended-text').textContent = s.ended || s.notice || '';
    Beckon.chatView($('chat-list'), s.chat);
    Beckon.filesView($('file-list'), s.files);
    $('q-auto').checked = s.quality === null;
    $('q-manual').checked = s.quality !== null;
    $('q-level').disabled = s.quality === null;
    if (s.quality !== null) $('q-level').value = s.quality;
    if (!s.in_control && capture) setCapture(false);
    renderCapture();
  }

  Beckon.on('state', (m) => { state = m; render(); });
  Beckon.on('texts', () => render());
  Beckon.on('stats', (m) => { $('stats').textContent = m.text; });

  // ---- the helper's actions ----------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    loadDecoder();
    $('btn-control').addEventListener('click', () => {
      Beckon.send({ t: state && state.in_control ? 'release_control' : 'request_control' });
    });
    $('btn-disconnect').addEventListener('click', () => Beckon.send({ t: 'disconnect' }));
    $('btn-mouse').addEventListener('click', () => {
      Beckon.send({ t: 'pointer_mode', relative: !relative() });
    });
    $('password-form').addEventListener('submit', (e) => {
      e.preventDefault();
      Beckon.send({ t: 'password', password: $('password').value });
      $('password').value = '';
    });
    $('paste-form').addEventListener('submit', () => {
      Beckon.send({ t: 'paste', text: $('paste-text').value });
      $('paste-text').value = '';
    });
    const quality = () => {
      if ($('q-auto').checked) Beckon.send({ t: 'quality' });
      else Beckon.send({ t: 'quality', level: Number($('q-level').value) });
    };
    $('q-auto').addEventListener('change', quality);
    $('q-manual').addEventListener('change', quality);
    $('q-level').addEventListener('change', quality);
    Beckon.wireChat($('chat-form'), $('chat-input'));
    Beckon.wireFiles($('file-input'), $('btn-file'));
  });
})();
