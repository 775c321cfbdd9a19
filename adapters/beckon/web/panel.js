// The person's panel: renders the `state` Beckon sends and reports clicks.
// Everything it shows is already in the person's language.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  let lastAskSeq = null;
  let lastState = null;

  function show(el, on) {
    el.classList.toggle('hidden', !on);
  }

  function renderAsk(ask) {
    const card = $('ask');
    if (!ask) {
      show(card, false);
      lastAskSeq = null;
      return;
    }
    $('ask-title').textContent = ask.title;
    $('ask-text').textContent = ask.text;
    $('ask-yes').textContent = ask.yes;
    $('ask-no').textContent = ask.no;
    card.dataset.kind = ask.kind;
    show(card, true);
    if (lastAskSeq !== ask.seq) {
      lastAskSeq = ask.seq;
      // A new question takes the focus, so a keyboard user answers it at once.
      $('ask-yes').focus();
    }
  }

  function renderSessions(sessions) {
    const list = $('sessions');
    if (!sessions.length) {
      list.replaceChildren(Beckon.el('li', { class: 'empty', text: Beckon.t('panel-nobody') }));
      return;
    }
    list.replaceChildren(...sessions.map((s) => Beckon.el('li', { class: s.ended ? 'ended' : 'live', 'data-conn': s.conn },
      Beckon.el('span', { class: 'who', text: s.helper }), ': ',
      Beckon.el('span', { class: 'what', text: s.status }))));
  }

  function renderInvites(invites) {
    const body = $('invite-rows');
    body.replaceChildren(...invites.map((i) => Beckon.el('tr', { 'data-invite': i.id, class: `invite ${i.status}` },
      Beckon.el('td', {}, Beckon.el('code', { text: i.short, title: i.id })),
      Beckon.el('td', { text: i.name }),
      Beckon.el('td', { text: i.expires }),
      Beckon.el('td', { class: 'status', text: i.status_text }),
      Beckon.el('td', {}, i.can_revoke
        ? Beckon.el('button', {
          type: 'button', 'data-revoke': i.id, text: Beckon.t('panel-revoke'),
          'aria-label': `${Beckon.t('panel-revoke')} ${i.short}`,
          onclick: () => Beckon.send({ t: 'revoke', id: i.id }),
        })
        : null))));
    show($('invites-empty'), !invites.length);
    $('btn-revoke-all').disabled = !invites.some((i) => i.can_revoke);
  }

  function render(s) {
    lastState = s;
    const banner = $('control-banner');
    show(banner, !!s.control);
    $('control-text').textContent = s.control || '';
    renderAsk(s.ask);
    show($('reminder'), s.connected);
    const notice = $('panel-notice');
    notice.textContent = s.notice || '';
    notice.classList.toggle('bad', !!s.notice_bad);
    show(notice, !!s.notice);
    renderSessions(s.sessions);
    $('btn-disconnect').disabled = !s.can_disconnect;
    Beckon.chatView($('chat-list'), s.chat);
    Beckon.filesView($('file-list'), s.files);
    renderInvites(s.invites);
  }

  function answer(yes) {
    if (lastAskSeq === null) return;
    Beckon.send({ t: 'answer', seq: lastAskSeq, yes });
  }

  function wireInviteForm() {
    $('invite-form').addEventListener('submit', (e) => {
      e.preventDefault();
      Beckon.send({
        t: 'invite',
        name: $('invite-name').value,
        expires: $('invite-expires').value,
        password: $('invite-password').value,
      });
      $('invite-password').value = '';
    });
    $('btn-copy-invite').addEventListener('click', async () => {
      const text = $('invite-text').textContent;
      try {
        await navigator.clipboard.writeText(text);
      } catch (err) {
        // No clipboard permission: select the text so Ctrl+C copies it.
        const range = document.createRange();
        range.selectNodeContents($('invite-text'));
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        return;
      }
      show($('invite-copied'), true);
      setTimeout(() => show($('invite-copied'), false), 2500);
    });
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('ask-yes').addEventListener('click', () => answer(true));
    $('ask-no').addEventListener('click', () => answer(false));
    $('btn-stop-control').addEventListener('click', () => Beckon.send({ t: 'stop_control' }));
    $('btn-disconnect').addEventListener('click', () => Beckon.send({ t: 'disconnect' }));
    $('btn-revoke-all').addEventListener('click', () => Beckon.send({ t: 'revoke_all' }));
    Beckon.wireChat($('chat-form'), $('chat-input'));
    Beckon.wireFiles($('file-input'), $('btn-file'));
    wireInviteForm();
  });

  Beckon.on('state', render);
  // Texts in a new language: lists built from the catalog are drawn again.
  Beckon.on('texts', () => { if (lastState) render(lastState); });
  Beckon.on('invite_made', (m) => {
    $('invite-text').textContent = m.text;
    show($('invite-password-note'), m.password);
    show($('invite-result'), true);
    $('invite-text').focus();
  });
})();
