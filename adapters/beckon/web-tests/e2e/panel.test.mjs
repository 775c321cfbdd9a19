// The person's panel on its own terms: invitations made and withdrawn in
// the page, saying no to a helper, and stopping control with the button.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  Xvfb, e2e, freePort, isShown, noPanelReason, steps, waitBody, waitFor, waitText,
} from './harness.mjs';

const NO_PANEL = noPanelReason();

/** Xvfb + share with its panel page; returns { x, port, share, panel }. */
async function person(w, { allowControl = false } = {}) {
  const x = await Xvfb.start(w);
  const port = await freePort();
  if (allowControl) w.allowControl();
  const share = await w.share({ display: x.display, port, panel: true });
  const panel = await w.page('panel', share.url);
  await waitFor('the panel to receive its first state (#lang filled)', () => panel.evaluate(() => document.getElementById('lang').options.length > 0));
  return { x, port, share, panel };
}

e2e('panel: invitations made and withdrawn in the page; the person says no', { skip: NO_PANEL, timeout: 240000 }, async (t, w) => {
  const step = steps(t, w);
  const { panel, port } = await person(w);
  let text = null;
  let id = null;
  let con = null;

  const MAKE = 'the person makes an invitation with a password in the panel';
  await step(MAKE, async () => {
    await panel.fill('#invite-name', 'Oma');
    await panel.selectOption('#invite-expires', '15m');
    await panel.fill('#invite-password', 'roos');
    await panel.click('#invite-form button[type=submit]');
    await waitFor('#invite-result to be shown', () => isShown(panel, '#invite-result'));
    text = (await waitText(panel, '#invite-text', /^\s*beckon1:\S+\s*$/, '#invite-text to hold the beckon1: text')).trim();
    assert.ok(await isShown(panel, '#invite-password-note'), 'the password note is shown for an invitation with a password');
    assert.equal(await panel.inputValue('#invite-password'), '', 'the password field is emptied');
    id = await waitFor('a row for the invitation in #invite-rows', () => panel.evaluate(() => {
      const rows = document.querySelectorAll('#invite-rows tr[data-invite]');
      return rows.length === 1 ? rows[0].dataset.invite : null;
    }));
    const cli = w.beckon(['invitations']);
    assert.match(cli.stdout, new RegExp(id.slice(0, 8)), `beckon invitations lists the new invitation: ${cli.stdout}`);
  });

  await step('the helper uses it; the person says no (#ask-no); the console shows the end', { needs: [MAKE] }, async () => {
    const inv = w.path('from-panel.beckon');
    fs.writeFileSync(inv, `${text}\n`);
    const c = await w.connect({ invitation: inv, downloads: w.path() });
    con = await w.page('console', c.url);
    await waitBody(con, 'phase', 'password', 'the console to ask for the password');
    await con.fill('#password', 'roos');
    await con.click('#password-submit');
    await waitFor('the panel to ask whether Henk may connect (#ask-no shown)', () => isShown(panel, '#ask-no'));
    await waitText(panel, '#ask-text', /Henk/, '#ask-text to name Henk');
    await panel.click('#ask-no');
    await waitBody(con, 'phase', 'ended', 'the console to end after the person said no (body[data-phase=ended])');
    await waitFor('the console to show #ended', () => isShown(con, '#ended'));
    await waitText(panel, '#panel-notice', /Henk/, '#panel-notice to say the person said no to Henk');
  });

  /** Make one more invitation in the panel; returns { id, text }. */
  async function makeInvitation(name) {
    const before = await panel.evaluate(() => [...document.querySelectorAll('#invite-rows tr[data-invite]')].map((r) => r.dataset.invite));
    await panel.fill('#invite-name', name);
    await panel.fill('#invite-password', '');
    await panel.click('#invite-form button[type=submit]');
    const newId = await waitFor(`a new row in #invite-rows for ${name}`, () => panel.evaluate((old) => {
      const ids = [...document.querySelectorAll('#invite-rows tr[data-invite]')].map((r) => r.dataset.invite).filter((i) => !old.includes(i));
      return ids.length === 1 ? ids[0] : null;
    }, before));
    const txt = (await waitText(panel, '#invite-text', /^\s*beckon1:\S+\s*$/, '#invite-text to hold the new text')).trim();
    return { id: newId, text: txt };
  }

  const REVOKE = 'the person withdraws an unused invitation (button[data-revoke]); the CLI agrees';
  let revoked = null;
  await step(REVOKE, { needs: [] }, async () => {
    assert.equal(await panel.locator(`button[data-revoke="${id}"]`).count(), 0, 'a used invitation has no withdraw button');
    revoked = await makeInvitation('Oma B');
    await panel.click(`button[data-revoke="${revoked.id}"]`);
    await waitFor(`the row of ${revoked.id} to lose its withdraw button`, async () => (await panel.locator(`button[data-revoke="${revoked.id}"]`).count()) === 0);
    await waitText(panel, `#invite-rows tr[data-invite="${revoked.id}"]`, /withdrawn|revoked/i, 'the row to say withdrawn/revoked');
    const cli = w.beckon(['invitations']);
    const line = cli.stdout.split('\n').find((l) => l.includes(revoked.id.slice(0, 8))) || '';
    assert.match(line, /revoked|withdrawn/i, `beckon invitations shows it revoked: ${cli.stdout}`);
  });

  await step('a withdrawn invitation no longer lets the helper in', { needs: [REVOKE] }, async () => {
    const inv = w.path('revoked.beckon');
    fs.writeFileSync(inv, `${revoked.text}\n`);
    const c = await w.connect({ invitation: inv, downloads: w.path() });
    const page = await w.page('console-2', c.url);
    await waitBody(page, 'phase', 'ended', 'the second console to end: the invitation is withdrawn');
    await waitText(page, '#ended-text', /\S/, '#ended-text to say why');
    assert.equal(await isShown(panel, '#ask-yes'), false, 'the person is not asked about a withdrawn invitation');
  });

  await step('Withdraw all (#btn-revoke-all) withdraws every open invitation', { needs: [] }, async () => {
    const a = await makeInvitation('Oma C');
    const b = await makeInvitation('Oma D');
    await waitFor('#btn-revoke-all to be enabled', () => panel.evaluate(() => !document.getElementById('btn-revoke-all').disabled));
    await panel.click('#btn-revoke-all');
    for (const inv of [a, b]) {
      await waitText(panel, `#invite-rows tr[data-invite="${inv.id}"]`, /withdrawn|revoked/i, `the row of ${inv.id} to say withdrawn`);
    }
    await waitFor('#btn-revoke-all to be disabled (nothing left to withdraw)', () => panel.evaluate(() => document.getElementById('btn-revoke-all').disabled));
    const cli = w.beckon(['invitations']);
    for (const inv of [a, b]) {
      const line = cli.stdout.split('\n').find((l) => l.includes(inv.id.slice(0, 8))) || '';
      assert.match(line, /revoked|withdrawn/i, `beckon invitations shows ${inv.id} revoked: ${cli.stdout}`);
    }
  });

  step.check();
  void port;
});

e2e('panel: the person stops shared control with the Stop control button', { skip: NO_PANEL, timeout: 240000 }, async (t, w) => {
  const step = steps(t, w);
  const { panel, port } = await person(w, { allowControl: true });
  const inv = w.invite({ password: null, name: 'Oma', port });
  const c = await w.connect({ invitation: inv.file, downloads: w.path() });
  const con = await w.page('console', c.url);

  const LIVE = 'the person lets the helper in';
  await step(LIVE, async () => {
    await waitFor('the panel to ask (#ask-yes)', () => isShown(panel, '#ask-yes'));
    await panel.click('#ask-yes');
    await waitBody(con, 'phase', 'live', 'the console to go live');
  });

  const CONTROL = 'the helper gets control';
  await step(CONTROL, { needs: [LIVE] }, async () => {
    await con.click('#btn-control');
    await waitFor('the panel to ask about control (#ask-yes)', () => isShown(panel, '#ask-yes'));
    await panel.click('#ask-yes');
    await waitBody(con, 'permission', 'control', 'the console to have control');
    await waitFor('the panel to show #control-banner', () => isShown(panel, '#control-banner'));
  });

  const STOP = 'the person clicks #btn-stop-control; the console loses control';
  await step(STOP, { needs: [CONTROL] }, async () => {
    await panel.click('#btn-stop-control');
    await waitBody(con, 'permission', (v) => v && v !== 'control', 'the console to lose control after Stop control');
    await waitFor('the panel to hide #control-banner', async () => !(await isShown(panel, '#control-banner')));
    await c.proc.waitOutput(/control ended by the person/, 'connect to log that the person ended control');
  });

  await step('the console\'s #notice says the person took control back', { needs: [STOP] }, async () => {
    await waitText(con, '#notice', /Oma took control back/, '#notice to say Oma took control back');
  });

  await step('the person disconnects in the panel; both pages show the end', { needs: [LIVE] }, async () => {
    await panel.click('#btn-disconnect');
    await waitBody(con, 'phase', 'ended', 'the console to end after the person disconnected');
    await waitText(con, '#ended-text', /\S/, '#ended-text to say why');
    await waitFor('the panel to say the session ended', async () => {
      const s = await panel.evaluate(() => `${document.getElementById('panel-notice')?.textContent} ${document.getElementById('sessions')?.textContent}`);
      return /ended/i.test(s);
    });
  });

  step.check();
});
