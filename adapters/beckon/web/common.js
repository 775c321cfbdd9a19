// What both pages share: the WebSocket to Beckon (with the run's token),
// the texts in the chosen language, the language switch, and small helpers.
// Classic script: it defines one global, `Beckon`, used by the page's script.
'use strict';

const Beckon = (() => {
  const token = new URLSearchParams(location.search).get('t') || '';
  const handlers = {};
  let texts = {};
  let ws = null;
  let binaryHandler = null;
  let everOpen = false;
  let retryMs = 500;

  function assetUrl(name) {
    return new URL(`assets/${name}?t=${encodeURIComponent(token)}`, location.href).href;
  }

  function t(key) {
    return Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
  }

  function applyTexts(root = document) {
    root.querySelectorAll('[data-t]').forEach((el) => { el.textContent = t(el.dataset.t); });
    root.querySelectorAll('[data-t-label]').forEach((el) => el.setAttribute('aria-label', t(el.dataset.tLabel)));
    root.querySelectorAll('[data-t-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.tPlaceholder); });
    root.querySelectorAll('[data-t-title]').forEach((el) => { el.title = t(el.dataset.tTitle); });
  }

  function fillLanguages(m) {
    const select = document.getElementById('lang');
    if (!select) return;
    if (select.options.length !== m.langs.length) {
      select.replaceChildren(...m.langs.map((l) => {
        const o = document.createElement('option');
        o.value = l.code;
        o.textContent = l.name;
        return o;
      }));
    }
    select.value = m.lang;
  }

  function dispatch(m) {
    if (m.t === 'hello' || m.t === 'texts') {
      texts = m.texts || {};
      document.documentElement.lang = m.lang;
      fillLanguages(m);
      applyTexts();
    }
    (handlers[m.t] || []).forEach((h) => h(m));
    (handlers['*'] || []).forEach((h) => h(m));
  }

  function connect() {
    ws = new WebSocket(`ws://${location.host}/ws?t=${encodeURIComponent(token)}`);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      everOpen = true;
      retryMs = 500;
      document.body.classList.remove('gone');
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') {
        let m;
        try { m = JSON.parse(ev.data); } catch (e) { return; }
        dispatch(m);
      } else if (binaryHandler) {
        binaryHandler(ev.data);
      }
    };
    ws.onclose = () => {
      if (everOpen) document.body.classList.add('gone');
      // Beckon may be restarting, or gone for good: try again, less often.
      retryMs = Math.min(retryMs * 2, 10000);
      setTimeout(connect, retryMs);
    };
  }

  function on(type, fn) {
    (handlers[type] = handlers[type] || []).push(fn);
  }

  function send(obj) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj));
  }

  function sendBytes(buf) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(buf);
  }

  function onBinary(fn) {
    binaryHandler = fn;
  }

  // An element with text, built without innerHTML (texts come from people).
  function el(tag, props = {}, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
    }
    e.append(...children.filter((c) => c !== null && c !== undefined));
    return e;
  }

  // Chat: history list and an input where Enter sends.
  function chatView(list, messages) {
    if (!messages.length) {
      list.replaceChildren(el('li', { class: 'empty', text: t('chat-empty') }));
      return;
    }
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 4;
    list.replaceChildren(...messages.map((c) => el('li', { class: c.mine ? 'mine' : 'theirs' },
      el('span', { class: 'who', text: c.mine ? t('chat-from-you') : c.name }), ' ',
      el('span', { class: 'text', text: c.text }))));
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function wireChat(form, input) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      send({ t: 'chat', text });
      input.value = '';
    });
  }

  // Files: one row per transfer with a progress bar and its buttons.
  function filesView(list, files) {
    if (!files.length) {
      list.replaceChildren(el('li', { class: 'empty', text: t('files-empty') }));
      return;
    }
    list.replaceChildren(...files.map((f) => {
      const bar = el('progress', { max: f.size || 1, value: f.done, 'aria-label': f.line });
      const buttons = [];
      if (f.can_answer) {
        buttons.push(el('button', { type: 'button', text: t('file-accept'), onclick: () => send({ t: 'file_answer', id: f.id, accept: true }) }));
        buttons.push(el('button', { type: 'button', text: t('file-decline'), onclick: () => send({ t: 'file_answer', id: f.id, accept: false }) }));
      }
      if (f.can_cancel) {
        buttons.push(el('button', { type: 'button', text: t('file-cancel'), onclick: () => send({ t: 'file_cancel', id: f.id }) }));
      }
      return el('li', { class: `file ${f.dir}`, 'data-file-id': f.id },
        el('span', { class: 'name', text: f.line }), bar,
        el('span', { class: 'state', text: f.state }), ...buttons);
    }));
  }

  // Send a file picked in the page: announced, then sent in chunks, and
  // offered by Beckon once all bytes arrived.
  async function sendFile(file) {
    const CHUNK = 256 * 1024;
    const upload = Math.random().toString(36).slice(2);
    send({ t: 'file_begin', upload, name: file.name, size: file.size });
    for (let off = 0; off < file.size; off += CHUNK) {
      const chunk = await file.slice(off, off + CHUNK).arrayBuffer();
      sendBytes(chunk);
    }
    send({ t: 'file_end', upload });
  }

  function wireFiles(input, button) {
    button.addEventListener('click', () => input.click());
    input.addEventListener('change', async () => {
      for (const f of input.files) await sendFile(f);
      input.value = '';
    });
  }

  function wireDialogs() {
    document.querySelectorAll('[data-open]').forEach((b) => b.addEventListener('click', () => {
      document.getElementById(b.dataset.open).showModal();
    }));
    document.querySelectorAll('dialog [data-close]').forEach((b) => b.addEventListener('click', () => {
      b.closest('dialog').close();
    }));
  }

  document.addEventListener('DOMContentLoaded', () => {
    const select = document.getElementById('lang');
    if (select) select.addEventListener('change', () => send({ t: 'lang', lang: select.value }));
    wireDialogs();
    connect();
  });

  return { token, assetUrl, t, on, send, sendBytes, onBinary, el, chatView, wireChat, filesView, wireFiles, applyTexts };
})();
