// The demo chat page in a real browser against the real tim-server: two users chat live, history
// pages in, a second login of the same user kicks the first page; the conversation list, unread
// counts, read receipts, revocation and pins come from the SDK; every pane shows the server's
// order; a reload keeps the session; links, multi-line input, day separators, the message menu
// (copy, revoke while it can succeed, delete for me) and deleting a conversation; the profile
// editor and the contacts tab (a friend request accepted, a block and its 20007); the groups
// tab (create, a join request approved, an admin made, leaving). Run with
//   node --test tests/browser/
// Needs target/debug/tim-server (cargo build -p tim-server), the built package in pkg/
// (./scripts/build-sdk.sh) and Chromium at /usr/bin/chromium (or $CHROMIUM_PATH).
// Screenshots go to tests/artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { launchChromium } from '../lib/browser.mjs';
import { ROOT, SERVER_BIN, startServer } from '../lib/server.mjs';

const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
const TIMEOUT = 8000;

let server;
let browser;
let served;
/** Requests that left the server's origin (the page must load nothing from elsewhere). */
const foreign = [];
/** Uncaught exceptions and console errors of every page. */
const pageErrors = [];

function requireFile(path, hint) {
  if (!existsSync(path)) throw new Error(`${path} is missing: ${hint}`);
}

before(async () => {
  requireFile(SERVER_BIN, 'build it with `cargo build -p tim-server`');
  requireFile(join(ROOT, 'pkg', 'index.js'), 'build the SDK package with ./scripts/build-sdk.sh');

  // The served folder, as scripts/demo.sh assembles it: the page at /, the package at /sdk/.
  served = mkdtempSync(join(tmpdir(), 'tim-demo-www-'));
  cpSync(join(ROOT, 'www-demo'), served, { recursive: true });
  cpSync(join(ROOT, 'pkg'), join(served, 'sdk'), { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });

  server = await startServer(['--dev', '--static', served]);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (served) rmSync(served, { recursive: true, force: true });
});

/** A fresh browser context (its own storage, like a separate browser) with the page open. */
async function openPage(name, viewport = { width: 1000, height: 640 }, query = '', srv = server) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(TIMEOUT);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(srv.url + '/') || url.startsWith('data:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  watch(page, name);
  await page.goto(srv.url + '/' + query);
  return page;
}

/** A second tab of `page`'s browser (same context and storage) with the page open. */
async function openTab(page, name) {
  const tab = await page.context().newPage();
  watch(tab, name);
  await tab.goto(new URL(page.url()).origin + '/');
  return tab;
}

function watch(page, name) {
  page.on('pageerror', (e) => pageErrors.push(`${name}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`${name} console: ${m.text()}`);
  });
}

async function login(page, userID) {
  await page.getByTestId('login-input').fill(userID);
  await page.getByTestId('login-button').click();
  await page.getByTestId('chat-view').waitFor();
  await page.locator('[data-testid="net-state"][data-state="connected"]').waitFor();
  assert.equal(await page.getByTestId('current-user').textContent(), userID);
}

async function sendText(page, text) {
  await page.getByTestId('send-input').fill(text);
  await page.getByTestId('send-button').click();
  // The sent message shows at once and turns to success when the server stored it.
  await page.locator('[data-testid="message"][data-flow="out"][data-status="success"]', { hasText: text }).last().waitFor();
}

const conv = (page, peer) => page.locator(`[data-testid="conversation-item"][data-peer="${peer}"]`);
const badge = (page, peer) => conv(page, peer).getByTestId('unread-badge');
/** Wait until the conversation with `peer` has no unread badge (the SDK's count went to 0). */
const noBadge = (page, peer) => badge(page, peer).waitFor({ state: 'detached' });
const lastOf = (page, peer, text) => conv(page, peer).getByTestId('conversation-last').filter({ hasText: text }).waitFor();
const messages = (page) => page.getByTestId('message');
/** Open the menu of a message (its button shows on hover). */
async function menuOf(page, message) {
  await message.hover();
  await message.getByTestId('message-menu-button').click();
  await page.getByTestId('menu').waitFor();
}
const texts = (page) => page.getByTestId('message-text').allTextContents();
const flows = (page) => messages(page).evaluateAll((els) => els.map((e) => e.dataset.flow));

test('two users chat through the demo page; a second login kicks the first', { timeout: 45000 }, async () => {
  const alice = await openPage('alice');
  const bob = await openPage('bob');
  await Promise.all([login(alice, 'alice'), login(bob, 'bob')]);

  // Alice opens a chat with bob: empty history, then her message shows as outgoing.
  await alice.getByTestId('new-chat-input').fill('bob');
  await alice.getByTestId('new-chat-button').click();
  await conv(alice, 'bob').waitFor();
  assert.equal(await alice.getByTestId('pane-title').textContent(), 'bob');
  await alice.getByTestId('history-state').filter({ hasText: 'No messages yet' }).waitFor();
  await sendText(alice, 'hello bob');
  assert.deepEqual(await flows(alice), ['out']);
  await lastOf(alice, 'bob', 'hello bob');

  // Bob gets it live: a new conversation with an unread badge, no conversation open yet.
  await conv(bob, 'alice').waitFor();
  await badge(bob, 'alice').filter({ hasText: '1' }).waitFor();
  assert.match(await conv(bob, 'alice').getByTestId('conversation-last').textContent(), /hello bob/);
  assert.equal(await messages(bob).count(), 0);

  // Opening it clears the badge and shows the message as incoming (once, live + history merged).
  await conv(bob, 'alice').click();
  await messages(bob).filter({ hasText: 'hello bob' }).waitFor();
  await bob.getByTestId('history-state').filter({ hasText: 'Start of the conversation' }).waitFor();
  assert.deepEqual(await texts(bob), ['hello bob']);
  assert.deepEqual(await flows(bob), ['in']);
  await noBadge(bob, 'alice');

  // Bob replies; alice has the conversation open, so it appears in her pane and is read at once.
  await sendText(bob, 'hi alice');
  await messages(alice).filter({ hasText: 'hi alice' }).waitFor();
  assert.deepEqual(await texts(alice), ['hello bob', 'hi alice']);
  assert.deepEqual(await flows(alice), ['out', 'in']);
  await noBadge(alice, 'bob');
  await bob.locator('[data-testid="message"][data-flow="out"][data-peer-read="true"]', { hasText: 'hi alice' }).waitFor();
  assert.deepEqual(await texts(bob), ['hello bob', 'hi alice']);
  assert.deepEqual(await flows(bob), ['in', 'out']);

  // Alice switches to a chat with carol; bob's next message badges bob's entry on her side.
  await alice.getByTestId('new-chat-input').fill('carol');
  await alice.getByTestId('new-chat-button').click();
  await alice.getByTestId('pane-title').filter({ hasText: 'carol' }).waitFor();
  await sendText(bob, 'are you there?');
  await badge(alice, 'bob').filter({ hasText: '1' }).waitFor();
  assert.match(await conv(alice, 'bob').getByTestId('conversation-last').textContent(), /are you there\?/);
  assert.equal(await messages(alice).count(), 0, 'carol\'s pane stays empty');
  await conv(alice, 'bob').click();
  await messages(alice).filter({ hasText: 'are you there?' }).waitFor();
  assert.deepEqual(await texts(alice), ['hello bob', 'hi alice', 'are you there?']);
  await noBadge(alice, 'bob');
  await bob.screenshot({ path: join(ARTIFACTS, 'demo-bob.png') });
  await alice.screenshot({ path: join(ARTIFACTS, 'demo-alice.png') });

  // History in pages of 15: bob sends 14 more (17 in all), then a fresh page of bob loads them.
  for (let i = 1; i <= 14; i++) await sendText(bob, `message ${i}`);
  await messages(alice).filter({ hasText: 'message 14' }).waitFor();
  assert.equal(await messages(alice).count(), 17);
  const bob2 = await openPage('bob2');
  await login(bob2, 'bob'); // kicks the first bob page, checked below with alice
  await bob2.getByTestId('new-chat-input').fill('alice');
  await bob2.getByTestId('new-chat-button').click();
  await bob2.getByTestId('load-older').waitFor();
  assert.equal(await messages(bob2).count(), 15);
  assert.equal((await texts(bob2)).at(-1), 'message 14');
  await bob2.screenshot({ path: join(ARTIFACTS, 'demo-history.png') });
  await bob2.getByTestId('load-older').click();
  await bob2.getByTestId('history-state').filter({ hasText: 'Start of the conversation' }).waitFor();
  assert.equal(await bob2.getByTestId('load-older').isHidden(), true);
  const all = await texts(bob2);
  assert.deepEqual(all.slice(0, 3), ['hello bob', 'hi alice', 'are you there?']);
  assert.equal(all.length, 17);
  assert.deepEqual((await flows(bob2)).slice(0, 3), ['in', 'out', 'out']);
  await bob.getByTestId('kicked-banner').waitFor();

  // Logout brings back the login form and the offline state.
  await bob2.getByTestId('logout-button').click();
  await bob2.getByTestId('login-view').waitFor();
  assert.equal(await bob2.getByTestId('chat-view').isHidden(), true);
  assert.equal(await bob2.getByTestId('net-state').getAttribute('data-state'), 'offline');
  assert.equal(await bob2.getByTestId('kicked-banner').isHidden(), true);
  // Logging in again on the same page (the same TIM instance) starts a fresh session: no
  // conversation open, the list (kept by the server) back, read.
  await login(bob2, 'bob');
  await lastOf(bob2, 'alice', 'You: message 14');
  assert.equal(await badge(bob2, 'alice').count(), 0);
  assert.equal(await bob2.getByTestId('pane-title').textContent(), 'No conversation open');

  // A third browser logs in as alice: the first alice page shows the kicked banner.
  const alice2 = await openPage('alice2', { width: 420, height: 640 });
  await login(alice2, 'alice');
  const banner = alice.getByTestId('kicked-banner');
  await banner.waitFor();
  assert.equal(
    (await banner.getByTestId('kicked-text').textContent()).trim(),
    'You were logged out because this account logged in elsewhere (multipleAccount)',
  );
  await alice.getByTestId('login-view').waitFor();
  assert.equal(await alice.getByTestId('net-state').getAttribute('data-state'), 'offline');
  assert.equal(await alice.getByTestId('login-input').inputValue(), 'alice');
  await alice.screenshot({ path: join(ARTIFACTS, 'demo-kicked.png') });

  // The new alice session (a narrow, phone-sized window) has the history too.
  await alice2.getByTestId('new-chat-input').fill('bob');
  await alice2.getByTestId('new-chat-button').click();
  await messages(alice2).filter({ hasText: 'message 14' }).waitFor();
  await alice2.screenshot({ path: join(ARTIFACTS, 'demo-mobile.png') });

  // The kicked page logs in again and in turn kicks the newer one.
  await alice.getByTestId('login-button').click();
  await alice.getByTestId('chat-view').waitFor();
  await alice.locator('[data-testid="net-state"][data-state="connected"]').waitFor();
  assert.equal(await alice.getByTestId('kicked-banner').isHidden(), true);
  await alice2.getByTestId('kicked-banner').waitFor();

  assert.deepEqual(foreign, [], 'the page loads nothing from outside its own server');
  assert.deepEqual(pageErrors, [], 'no uncaught errors or console errors in the pages');
});

const banner = (page) => page.locator('[data-testid="kicked-banner"]:not([hidden])');
const netState = (page, state) => page.locator(`[data-testid="net-state"][data-state="${state}"]`);

test('every kick type shows its banner: userSigExpired and REST_API_Kick', { timeout: 30000 }, async () => {
  // A UserSig that lives 3 s (the page passes ?expire= to /dev/usersig).
  const shortLived = await openPage('dora', undefined, '?expire=3');
  await login(shortLived, 'dora');
  await banner(shortLived).waitFor({ timeout: 8000 });
  assert.equal(await banner(shortLived).getAttribute('data-type'), 'userSigExpired');
  assert.match(await shortLived.getByTestId('kicked-text').textContent(), /UserSig expired \(userSigExpired\)/);

  // The administrator kicks ed through the REST API, as an app back end would.
  const ed = await openPage('ed');
  await login(ed, 'ed');
  const admin = new TLSSigAPIv2.Api(1400000000, 'tim-wasm-dev-secret-key-do-not-use-in-production').genUserSig('administrator', 600);
  const url = `${server.url}/v4/im_open_login_svc/kick?sdkappid=1400000000&identifier=administrator&usersig=${admin}&random=7&contenttype=json`;
  const res = await (await fetch(url, { method: 'POST', body: JSON.stringify({ UserID: 'ed' }) })).json();
  assert.equal(res.ActionStatus, 'OK');
  await banner(ed).waitFor();
  assert.equal(await banner(ed).getAttribute('data-type'), 'REST_API_Kick');
  assert.match(await ed.getByTestId('kicked-text').textContent(), /administrator \(REST_API_Kick\)/);
  await ed.screenshot({ path: join(ARTIFACTS, 'demo-rest-kick.png') });
  await shortLived.context().close();
  await ed.context().close();
});

test('offline and back online: disconnected, connecting, connected; a message sent offline arrives', { timeout: 45000 }, async () => {
  const fay = await openPage('fay');
  const gus = await openPage('gus');
  await Promise.all([login(fay, 'fay'), login(gus, 'gus')]);
  await fay.getByTestId('new-chat-input').fill('gus');
  await fay.getByTestId('new-chat-button').click();
  await sendText(fay, 'before the outage');
  await conv(gus, 'fay').waitFor();

  // Watch every state the page is told, in order.
  await fay.evaluate(() => {
    window.netStates = [];
    new MutationObserver(() => window.netStates.push(document.querySelector('[data-testid="net-state"]').dataset.state))
      .observe(document.querySelector('[data-testid="net-state"]'), { attributes: true, attributeFilter: ['data-state'] });
  });
  await fay.context().setOffline(true);
  await netState(fay, 'disconnected').waitFor();
  await fay.getByTestId('send-input').fill('written offline');
  await fay.getByTestId('send-button').click();
  await messages(fay).filter({ hasText: 'written offline' }).waitFor();
  await fay.screenshot({ path: join(ARTIFACTS, 'demo-offline.png') });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await messages(gus).filter({ hasText: 'written offline' }).count(), 0);
  await fay.context().setOffline(false);
  await netState(fay, 'connected').waitFor({ timeout: 20000 });
  assert.deepEqual(await fay.evaluate(() => window.netStates), ['disconnected', 'connecting', 'connected']);
  await fay.locator('[data-testid="message"][data-flow="out"][data-status="success"]', { hasText: 'written offline' }).waitFor();
  await conv(gus, 'fay').click();
  await messages(gus).filter({ hasText: 'written offline' }).waitFor();
  assert.deepEqual(await texts(gus), ['before the outage', 'written offline']);
  await fay.context().close();
  await gus.context().close();
});

test('conversations from the SDK: unread while away, read on every tab, Read marks, revoke, pin', { timeout: 60000 }, async () => {
  // A server of its own: two web sessions per user (a second tab does not kick the first) and a
  // revoke time limit of 5 s instead of 2 minutes (to see a refused revoke).
  const REVOKE_LIMIT = 5;
  const configDir = mkdtempSync(join(tmpdir(), 'tim-demo-conf-'));
  const config = join(configDir, 'tim.toml');
  writeFileSync(
    config,
    `[[app]]\nsdkappid = 1400000000\nkey = "demo-conversations-key"\nweb_instances = 2\nrevoke_limit = ${REVOKE_LIMIT}\n`,
  );
  const srv = await startServer(['--dev', '--static', served, '--config', config]);
  try {
    const pages = [];
    const open = async (name) => {
      const page = await openPage(name, undefined, `?revokeLimit=${REVOKE_LIMIT}`, srv);
      pages.push(page);
      return page;
    };
    const out = (page, text) => page.locator('[data-testid="message"][data-flow="out"]', { hasText: text });
    // The total shows only when there is something unread (no "0").
    const total = (page, n) => page.locator(`[data-testid="total-unread"][data-count="${n}"]`).waitFor({ state: n ? 'visible' : 'hidden' });

    // Alice has an account (her first login made it) but is logged out; bob writes to her.
    const alice = await open('alice');
    await login(alice, 'alice');
    await alice.getByTestId('logout-button').click();
    await alice.getByTestId('login-view').waitFor();
    const bob = await open('bob');
    await login(bob, 'bob');
    await bob.getByTestId('new-chat-input').fill('alice');
    await bob.getByTestId('new-chat-button').click();
    await conv(bob, 'alice').waitFor();
    await sendText(bob, 'first from bob');
    const sentFirst = Date.now();
    await sendText(bob, 'second from bob');
    await total(bob, 0);
    assert.equal(await out(bob, 'second from bob').getAttribute('data-peer-read'), 'false');
    assert.equal(await bob.getByTestId('read-mark').count(), 0);

    // Alice logs in again, and on a second tab: the conversation is there with its 2 unread,
    // and the total.
    await login(alice, 'alice');
    const alice2 = await openTab(alice, 'alice tab 2');
    await login(alice2, 'alice');
    for (const page of [alice, alice2]) {
      await badge(page, 'bob').filter({ hasText: '2' }).waitFor();
      await total(page, 2);
      assert.equal((await page.getByTestId('total-unread').textContent()).trim(), '2');
      assert.match(await conv(page, 'bob').getByTestId('conversation-last').textContent(), /second from bob/);
    }
    assert.equal(await alice.title(), '(2) tim-wasm demo chat');
    await alice2.screenshot({ path: join(ARTIFACTS, 'demo-conversations-unread.png') });
    assert.equal(await alice.getByTestId('kicked-banner').isHidden(), true, 'two web sessions: no kick');

    // She opens it on the first tab: read everywhere, and bob sees Read on both messages.
    await conv(alice, 'bob').click();
    await messages(alice).filter({ hasText: 'second from bob' }).waitFor();
    assert.deepEqual(await texts(alice), ['first from bob', 'second from bob']);
    for (const page of [alice, alice2]) {
      await noBadge(page, 'bob');
      await total(page, 0);
    }
    assert.equal(await alice.title(), 'tim-wasm demo chat');
    await out(bob, 'first from bob').and(bob.locator('[data-peer-read="true"]')).waitFor();
    await out(bob, 'second from bob').and(bob.locator('[data-peer-read="true"]')).waitFor();
    // One "Read" under the run of read messages (the same minute), or one under each.
    assert.ok((await bob.getByTestId('read-mark').count()) >= 1);
    await out(bob, 'second from bob').getByTestId('read-mark').filter({ hasText: 'Read' }).waitFor();

    // Bob sends one more and revokes it: both sides show it revoked, live.
    await sendText(bob, 'oops, wrong chat');
    await messages(alice).filter({ hasText: 'oops, wrong chat' }).waitFor();
    await noBadge(alice, 'bob'); // open on alice's first tab: read at once
    await menuOf(bob, out(bob, 'oops, wrong chat'));
    await bob.getByTestId('revoke-button').click();
    await bob.getByTestId('revoked-text').filter({ hasText: 'You revoked a message' }).waitFor();
    await alice.getByTestId('revoked-text').filter({ hasText: 'bob revoked a message' }).waitFor();
    assert.equal(await messages(alice).filter({ hasText: 'oops, wrong chat' }).count(), 0);
    assert.deepEqual(await texts(alice), ['first from bob', 'second from bob']);
    for (const [page, text] of [[alice, 'bob revoked a message'], [alice2, 'bob revoked a message'], [bob, 'You revoked a message']]) {
      await lastOf(page, page === bob ? 'alice' : 'bob', text);
    }
    // History loaded later knows it too.
    await conv(alice2, 'bob').click();
    await alice2.getByTestId('revoked-text').filter({ hasText: 'bob revoked a message' }).waitFor();
    // (The revocation seen live may show before the history has loaded: wait for all three.)
    await messages(alice2).nth(2).waitFor();
    assert.equal(await messages(alice2).count(), 3);

    // Revoke is offered only while it can succeed (it was, above): not past the time limit.
    await new Promise((r) => setTimeout(r, Math.max(0, sentFirst + (REVOKE_LIMIT + 1.5) * 1000 - Date.now())));
    await menuOf(bob, out(bob, 'first from bob'));
    await bob.getByTestId('copy-message').waitFor();
    assert.equal(await bob.getByTestId('revoke-button').count(), 0, 'no Revoke past the limit');
    await bob.screenshot({ path: join(ARTIFACTS, 'demo-menu-past-limit.png') });
    await bob.keyboard.press('Escape');
    assert.equal(await out(bob, 'first from bob').getAttribute('data-revoked'), null);
    await bob.screenshot({ path: join(ARTIFACTS, 'demo-conversations-bob.png') });

    // Alice chats with cara (now the most recent), then pins bob: bob goes first, on both tabs.
    const cara = await open('cara'); // a user exists once logged in
    await login(cara, 'cara');
    await alice.getByTestId('new-chat-input').fill('cara');
    await alice.getByTestId('new-chat-button').click();
    await conv(alice, 'cara').waitFor();
    assert.equal(await conv(alice, 'cara').getAttribute('data-placeholder'), 'true');
    assert.equal(await conv(alice, 'cara').getByTestId('pin-button').count(), 0, 'nothing to pin before the first message');
    await sendText(alice, 'hi cara');
    await conv(alice, 'cara').and(alice.locator(':not([data-placeholder])')).waitFor();
    await badge(cara, 'alice').filter({ hasText: '1' }).waitFor();
    const order = (page) => page.getByTestId('conversation-item').evaluateAll((els) => els.map((e) => e.dataset.peer));
    const orderIs = (page, peers) => page.waitForFunction(
      (want) => [...document.querySelectorAll('[data-testid="conversation-item"]')].map((e) => e.dataset.peer).join() === want,
      peers.join(),
    );
    await orderIs(alice, ['cara', 'bob']);
    await orderIs(alice2, ['cara', 'bob']);
    assert.equal(await conv(alice, 'bob').getAttribute('data-pinned'), 'false');
    await conv(alice, 'bob').hover();
    await conv(alice, 'bob').getByTestId('pin-button').click();
    for (const page of [alice, alice2]) {
      await conv(page, 'bob').and(page.locator('[data-pinned="true"]')).waitFor();
      await orderIs(page, ['bob', 'cara']);
    }
    assert.equal(await conv(alice, 'bob').getByTestId('pin-button').getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await order(alice), ['bob', 'cara']);
    await conv(alice, 'bob').click();
    await alice.getByTestId('revoked-text').waitFor();
    await alice.screenshot({ path: join(ARTIFACTS, 'demo-conversations.png') });

    // The second tab, phone-sized: the list alone, pinned first.
    await alice2.setViewportSize({ width: 400, height: 700 });
    await alice2.getByTestId('chat-view').locator('#back-btn').click();
    await conv(alice2, 'bob').waitFor();
    await alice2.screenshot({ path: join(ARTIFACTS, 'demo-conversations-mobile.png') });

    // Unpinning puts bob back in time order.
    await conv(alice, 'bob').getByTestId('pin-button').click();
    await orderIs(alice, ['cara', 'bob']);
    assert.equal(await conv(alice, 'bob').getAttribute('data-pinned'), 'false');

    // No error shown, no page logged errors.
    for (const page of [alice, alice2, bob]) assert.equal(await page.getByTestId('error-bar').isHidden(), true);
    assert.deepEqual(foreign, [], 'the page loads nothing from outside its own server');
    assert.deepEqual(pageErrors, [], 'no uncaught errors or console errors in the pages');
    for (const page of pages) await page.context().close();
  } finally {
    await srv.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
});

test('one order on every pane: a message written offline takes its place once stored', { timeout: 45000 }, async () => {
  const hal = await openPage('hal');
  const ivy = await openPage('ivy');
  await Promise.all([login(hal, 'hal'), login(ivy, 'ivy')]);
  await hal.getByTestId('new-chat-input').fill('ivy');
  await hal.getByTestId('new-chat-button').click();
  await sendText(hal, 'one');
  await conv(ivy, 'hal').click();
  await messages(ivy).filter({ hasText: 'one' }).waitFor();

  // At the same moment: hal writes while offline, ivy writes online (stored first).
  await hal.context().setOffline(true);
  await netState(hal, 'disconnected').waitFor();
  await hal.getByTestId('send-input').fill('from hal, offline');
  await Promise.all([hal.getByTestId('send-button').click(), sendText(ivy, 'from ivy, online')]);
  await hal.locator('[data-testid="message"][data-status="unSend"]', { hasText: 'from hal, offline' }).waitFor();
  await hal.context().setOffline(false);
  await netState(hal, 'connected').waitFor({ timeout: 20000 });
  await hal.locator('[data-testid="message"][data-flow="out"][data-status="success"]', { hasText: 'from hal, offline' }).waitFor();
  await messages(hal).filter({ hasText: 'from ivy, online' }).waitFor();
  await messages(ivy).filter({ hasText: 'from hal, offline' }).waitFor();

  // Both panes in the server's order, and each list's last message is its pane's last.
  const want = ['one', 'from ivy, online', 'from hal, offline'];
  assert.deepEqual(await texts(hal), want);
  assert.deepEqual(await texts(ivy), want);
  await lastOf(hal, 'ivy', 'You: from hal, offline');
  await lastOf(ivy, 'hal', 'from hal, offline');
  await hal.screenshot({ path: join(ARTIFACTS, 'demo-order-hal.png') });
  await ivy.screenshot({ path: join(ARTIFACTS, 'demo-order-ivy.png') });

  // History says the same after a reload (which keeps the session and the open chat).
  await hal.reload();
  await hal.getByTestId('pane-title').filter({ hasText: 'ivy' }).waitFor();
  await messages(hal).filter({ hasText: 'from hal, offline' }).waitFor();
  assert.deepEqual(await texts(hal), want);
  assert.deepEqual(pageErrors, [], 'no uncaught errors or console errors in the pages');
  await hal.context().close();
  await ivy.context().close();
});

test('a chat app people know: reload, links, lines, days, the message menu, delete', { timeout: 60000 }, async () => {
  const jon = await openPage('jon');
  const kim = await openPage('kim');
  await jon.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await Promise.all([login(jon, 'jon'), login(kim, 'kim')]);
  // Nothing unread: no "0" pill.
  assert.equal(await jon.getByTestId('total-unread').isHidden(), true);
  await jon.getByTestId('new-chat-input').fill('kim');
  await jon.getByTestId('new-chat-button').click();
  await jon.getByTestId('history-state').filter({ hasText: 'No messages yet' }).waitFor();
  // Load older is offered only while there is more: here there is nothing.
  assert.equal(await jon.getByTestId('load-older').isHidden(), true);

  // Shift+Enter breaks the line, Enter sends.
  await jon.getByTestId('send-input').click();
  await jon.keyboard.type('line one');
  await jon.keyboard.press('Shift+Enter');
  await jon.keyboard.type('line two');
  await jon.keyboard.press('Enter');
  const twoLines = 'line one\nline two';
  await jon.locator('[data-testid="message"][data-status="success"]', { hasText: 'line two' }).waitFor();
  assert.deepEqual(await texts(jon), [twoLines]);
  assert.equal(await jon.getByTestId('send-input').inputValue(), '');

  // Links are links (http and https only); the rest stays text, never HTML.
  const tricky = 'see https://example.com/a?b=1, not javascript:alert(1) <b>bold</b> <img src=x onerror=alert(2)>';
  await sendText(jon, tricky);
  await conv(kim, 'jon').click();
  const kimMessage = messages(kim).filter({ hasText: 'example.com' });
  await kimMessage.waitFor();
  const links = await kimMessage.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.target, a.rel, a.textContent]));
  assert.deepEqual(links, [['https://example.com/a?b=1', '_blank', 'noopener noreferrer', 'https://example.com/a?b=1']]);
  assert.equal(await kimMessage.locator('b, img').count(), 0);
  assert.equal((await kimMessage.getByTestId('message-text').textContent()), tricky);
  assert.deepEqual(await texts(kim), [twoLines, tricky]);
  // One day separator above today's messages.
  assert.deepEqual(await kim.getByTestId('day-separator').allTextContents(), ['Today']);
  await kim.screenshot({ path: join(ARTIFACTS, 'demo-lines-links.png') });

  // The message menu: copy, revoke (just sent: within the limit), delete for me.
  await menuOf(jon, messages(jon).filter({ hasText: 'line two' }));
  const items = await jon.getByTestId('menu').getByRole('menuitem').allTextContents();
  assert.deepEqual(items, ['Copy text', 'Revoke', 'Delete for me']);
  await jon.screenshot({ path: join(ARTIFACTS, 'demo-message-menu.png') });
  await jon.getByTestId('copy-message').click();
  await jon.getByTestId('toast').filter({ hasText: 'Copied' }).waitFor();
  assert.equal(await jon.evaluate(() => navigator.clipboard.readText()), twoLines);
  // A received message's menu has no Revoke.
  await menuOf(kim, messages(kim).filter({ hasText: 'line two' }));
  assert.deepEqual(await kim.getByTestId('menu').getByRole('menuitem').allTextContents(), ['Copy text', 'Delete for me']);
  await kim.keyboard.press('Escape');
  assert.equal(await kim.getByTestId('menu').isHidden(), true);

  // Delete for me: gone from jon's pane, kept on kim's, still gone after a reload.
  await menuOf(jon, messages(jon).filter({ hasText: 'line two' }));
  await jon.getByTestId('delete-message').click();
  await messages(jon).filter({ hasText: 'line two' }).waitFor({ state: 'detached' });
  assert.deepEqual(await texts(jon), [tricky]);
  assert.deepEqual(await texts(kim), [twoLines, tricky]);

  // A reload keeps jon logged in, with the conversation open, from history.
  await jon.reload();
  await jon.getByTestId('chat-view').waitFor();
  await jon.locator('[data-testid="net-state"][data-state="connected"]').waitFor();
  assert.equal(await jon.getByTestId('current-user').textContent(), 'jon');
  await jon.getByTestId('pane-title').filter({ hasText: 'kim' }).waitFor();
  await messages(jon).filter({ hasText: 'example.com' }).waitFor();
  assert.deepEqual(await texts(jon), [tricky]);
  await jon.screenshot({ path: join(ARTIFACTS, 'demo-after-reload.png') });

  // Delete the conversation: off the list, the pane closed; a reload does not bring it back.
  await jon.getByTestId('conversation-menu-button').click();
  await jon.getByTestId('delete-conversation').click();
  await conv(jon, 'kim').waitFor({ state: 'detached' });
  assert.equal(await jon.getByTestId('pane-title').textContent(), 'No conversation open');
  await jon.screenshot({ path: join(ARTIFACTS, 'demo-conversation-deleted.png') });
  await jon.reload();
  await jon.locator('[data-testid="net-state"][data-state="connected"]').waitFor();
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(await conv(jon, 'kim').count(), 0);
  assert.equal(await conv(kim, 'jon').count(), 1, 'kim keeps hers');

  // Logging out forgets the session: a reload shows the login form.
  await jon.getByTestId('logout-button').click();
  await jon.getByTestId('login-view').waitFor();
  await jon.reload();
  await jon.getByTestId('login-view').waitFor();
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await jon.getByTestId('chat-view').isHidden(), true);

  // Phone-sized: the menu fits on screen.
  await kim.setViewportSize({ width: 390, height: 700 });
  await menuOf(kim, messages(kim).filter({ hasText: 'example.com' }));
  const box = await kim.getByTestId('menu').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
  await kim.screenshot({ path: join(ARTIFACTS, 'demo-mobile-menu.png') });
  assert.deepEqual(foreign, [], 'the page loads nothing from outside its own server');
  assert.deepEqual(pageErrors, [], 'no uncaught errors or console errors in the pages');
  await jon.context().close();
  await kim.context().close();
});

test('profile and contacts: a nick and avatar shown to the peer, a friend request accepted, a block', { timeout: 60000 }, async () => {
  const zoe = await openPage('zoe');
  const yan = await openPage('yan');
  await Promise.all([login(zoe, 'zoe'), login(yan, 'yan')]);

  // Zoe sets her nick and avatar (a data: URL: the page loads nothing from elsewhere).
  const avatar = 'data:image/svg+xml,' + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="teal"/></svg>');
  await zoe.getByTestId('profile-button').click();
  await zoe.getByTestId('profile-dialog').waitFor();
  await zoe.getByTestId('profile-nick').fill('Zoe Z');
  await zoe.getByTestId('profile-avatar').fill(avatar);
  await zoe.getByTestId('profile-save').click();
  await zoe.getByTestId('current-user').filter({ hasText: 'Zoe Z (zoe)' }).waitFor();
  assert.equal(await zoe.getByTestId('profile-dialog').isVisible(), false);

  // Her message shows yan a conversation named by her nick, with her avatar.
  await zoe.getByTestId('new-chat-input').fill('yan');
  await zoe.getByTestId('new-chat-button').click();
  await sendText(zoe, 'hi from zoe');
  await conv(yan, 'zoe').getByTestId('conversation-name').filter({ hasText: 'Zoe Z' }).waitFor();
  assert.equal(await conv(yan, 'zoe').getByTestId('conversation-avatar').getAttribute('src'), avatar);
  await conv(yan, 'zoe').click();
  await yan.getByTestId('pane-title').filter({ hasText: 'Zoe Z' }).waitFor();

  // Zoe asks yan to be friends; yan sees the request (with its badge) and accepts.
  await zoe.getByTestId('tab-contacts').click();
  await zoe.getByTestId('contacts-panel').waitFor();
  await zoe.getByTestId('add-friend-input').fill('yan');
  await zoe.getByTestId('add-friend-button').click();
  await zoe.getByTestId('toast').filter({ hasText: 'Request sent to yan' }).waitFor();
  await zoe.locator('[data-testid="request-sent"][data-user="yan"]').waitFor();
  await yan.getByTestId('request-badge').filter({ hasText: '1' }).waitFor();
  await yan.getByTestId('tab-contacts').click();
  const request = yan.locator('[data-testid="request"][data-user="zoe"]');
  await request.filter({ hasText: 'Zoe Z' }).waitFor();
  await yan.getByTestId('request-badge').waitFor({ state: 'hidden' });
  await request.getByTestId('request-accept').click();
  await yan.locator('[data-testid="friend"][data-user="zoe"]').filter({ hasText: 'Zoe Z' }).waitFor();
  await zoe.locator('[data-testid="friend"][data-user="yan"]').waitFor();
  await request.waitFor({ state: 'detached' });
  await zoe.locator('[data-testid="request-sent"]').waitFor({ state: 'detached' });
  await yan.screenshot({ path: join(ARTIFACTS, 'demo-contacts.png') });

  // Yan blocks zoe: she leaves both friend lists, he lists her as blocked, her message fails.
  await yan.locator('[data-testid="friend"][data-user="zoe"]').getByTestId('friend-block').click();
  await yan.locator('[data-testid="blocked"][data-user="zoe"]').waitFor();
  await zoe.locator('[data-testid="friend"][data-user="yan"]').waitFor({ state: 'detached' });
  await zoe.getByTestId('tab-chats').click();
  await zoe.getByTestId('send-input').fill('are you there?');
  await zoe.getByTestId('send-button').click();
  await zoe.locator('[data-testid="message"][data-status="fail"]', { hasText: 'are you there?' }).waitFor();
  assert.match(await zoe.getByTestId('message-meta').last().textContent(), /20007/);
  // Unblocked: her next message arrives.
  await yan.locator('[data-testid="blocked"][data-user="zoe"]').getByTestId('blocked-remove').click();
  await yan.locator('[data-testid="blocked"]').waitFor({ state: 'detached' });
  await sendText(zoe, 'hello again');
  await yan.getByTestId('tab-chats').click();
  await messages(yan).filter({ hasText: 'hello again' }).waitFor();
  assert.deepEqual(foreign, [], 'the page loads nothing from outside its own server');
});

test('groups: a Public group created, a join request approved, an admin made, a member leaves', { timeout: 60000 }, async () => {
  const una = await openPage('una');
  const vic = await openPage('vic');
  await Promise.all([login(una, 'una'), login(vic, 'vic')]);
  for (const p of [una, vic]) {
    await p.getByTestId('tab-groups').click();
    await p.getByTestId('groups-panel').waitFor();
  }
  assert.equal(await una.getByTestId('contacts-panel').isVisible(), false);
  assert.equal(await una.getByTestId('chats-panel').isVisible(), false);

  // Una creates a Public group; the toast names its ID.
  await una.getByTestId('create-group-name').fill('Hikers');
  await una.getByTestId('create-group-type').selectOption('Public');
  await una.getByTestId('create-group-button').click();
  const toast = una.getByTestId('toast').filter({ hasText: 'its ID is' });
  await toast.waitFor();
  const groupID = (await toast.textContent()).match(/its ID is (\S+)/)[1];
  const unas = una.locator(`[data-testid="group"][data-group="${groupID}"]`);
  await unas.filter({ hasText: 'Hikers' }).filter({ hasText: 'Public · 1 member' }).waitFor();

  // Vic asks to join; una approves; both lists show two members.
  await vic.getByTestId('join-group-input').fill(groupID);
  await vic.getByTestId('join-group-button').click();
  await vic.getByTestId('toast').filter({ hasText: 'waiting for approval' }).waitFor();
  // Una is told by the join request's notice, and her open Groups tab lists it at once.
  await una.getByTestId('toast').filter({ hasText: 'vic asks to join Hikers' }).waitFor();
  const request = una.getByTestId('group-request').filter({ hasText: 'vic' });
  await request.getByTestId('group-request-approve').click();
  await vic.getByTestId('toast').filter({ hasText: 'Hikers accepted your request' }).waitFor();
  await unas.filter({ hasText: 'Public · 2 members' }).waitFor();
  const vics = vic.locator(`[data-testid="group"][data-group="${groupID}"]`);
  await vics.filter({ hasText: 'Public · 2 members' }).waitFor();
  await request.waitFor({ state: 'detached' });

  // Una's member list: she makes vic an admin; vic's list shows his role.
  await unas.getByTestId('group-members').click();
  const member = una.locator('[data-testid="member"][data-user="vic"]');
  await member.filter({ hasText: 'Member' }).waitFor();
  await member.getByTestId('member-role').click();
  await member.filter({ hasText: 'Admin' }).waitFor();
  await vics.getByTestId('group-members').click();
  await vic.locator('[data-testid="member"][data-user="vic"]').filter({ hasText: 'Admin' }).waitFor();
  await una.screenshot({ path: join(ARTIFACTS, 'demo-groups.png') });

  // The group's chat: una writes, vic reads it with her name on it, and answers.
  await unas.getByTestId('group-chat').click();
  await una.getByTestId('conversation-list').waitFor();
  // Its history so far, as tips: made, joined, an admin made.
  for (const tip of ['una created the group', 'vic joined the group', 'vic is now an admin']) {
    await una.getByTestId('group-tip').filter({ hasText: tip }).waitFor();
  }
  await sendText(una, 'Anyone up for a hike?');
  await vics.getByTestId('group-chat').click();
  const asked = vic.getByTestId('message').filter({ hasText: 'Anyone up for a hike?' });
  await asked.waitFor();
  assert.equal(await asked.getByTestId('message-author').textContent(), 'una');
  // Vic's history starts at his join (a Public group).
  const vicTips = await vic.getByTestId('group-tip').allTextContents();
  assert.deepEqual(vicTips, ['vic joined the group', 'vic is now an admin']);
  await sendText(vic, 'Count me in');
  await una.getByTestId('message').filter({ hasText: 'Count me in' }).waitFor();
  // A mention: vic's "@una" stands out on her side, and her list marks it while unread.
  await sendText(vic, '@una bring water');
  await una.locator('[data-testid="message"][data-mention="true"]').filter({ hasText: 'bring water' }).waitFor();
  assert.equal(await vic.locator('[data-testid="message"][data-mention="true"]').count(), 0, 'not on his side');
  assert.equal(await una.getByTestId('pane-title').textContent(), 'Hikers', 'the group by its name');
  await una.screenshot({ path: join(ARTIFACTS, 'demo-group-chat.png') });
  for (const p of [una, vic]) await p.getByTestId('tab-groups').click();

  // Vic leaves: his list empties, una's count drops.
  await vics.getByTestId('group-quit').click();
  await vics.waitFor({ state: 'detached' });
  await unas.filter({ hasText: 'Public · 1 member' }).waitFor();
  assert.deepEqual(pageErrors, [], 'no uncaught errors or console errors in the pages');
  assert.deepEqual(foreign, [], 'the page loads nothing from outside its own server');
});
