/**
 * The web client in a real headless Chromium against the local stack: two users in two browser contexts sign
 * up, meet in a room (each sees the other arrive), talk both ways, and one opens a direct conversation whose
 * unread count the other sees go up, then back to 0 once they open it. axe checks every main screen; another
 * user does everything by keyboard alone. Screenshots go to test-results/web/.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';
import { expectAccessible, launchChromium, screenshot, startWebStack, type WebStack } from './browser.ts';

const PASSWORD = 'correct horse battery';
let browser: Browser;
let running: WebStack;
const pageErrors: string[] = [];

beforeAll(async () => {
  [browser, running] = await Promise.all([launchChromium(), startWebStack()]);
});

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await running?.stop();
});

async function openClient(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  // An uncaught error in the page, or an error the page logs, fails the test (afterEach).
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // Chromium logs every HTTP error answer; the contract's errors are expected in some tests (and shown).
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      pageErrors.push(message.text());
    }
  });
  await page.goto(running.web.url);
  await page.getByRole('heading', { name: 'Log in to the chat' }).waitFor();
  return page;
}

async function signUp(page: Page, username: string): Promise<void> {
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Email', { exact: true }).fill(`${username}@example.com`);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Welcome' }).waitFor();
}

const log = (page: Page) => page.getByRole('log');
const present = (page: Page) => page.getByTestId('present');

async function send(page: Page, text: string): Promise<void> {
  await page.locator('#composer').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await log(page).getByText(text).waitFor();
}

/** The navigation's entry for a conversation (its button is named after the other participant). */
const conversationEntry = (page: Page, name: string) =>
  page
    .getByRole('navigation')
    .getByRole('listitem')
    .filter({ has: page.getByRole('button', { name, exact: true }) });

describe('the web client in Chromium', () => {
  it('two users meet in a room, talk both ways, and a direct message is unread until opened', async () => {
    const [alice, bob] = await Promise.all([openClient(), openClient()]);
    await expectAccessible(alice, 'the log-in screen');
    await screenshot(alice, 'log-in');

    await signUp(alice, 'alice');
    await signUp(bob, 'bob');
    await expectAccessible(alice, 'the welcome screen');

    await alice.getByLabel('New room').fill('lobby');
    await alice.getByRole('button', { name: 'Create', exact: true }).click();
    await alice.getByRole('heading', { name: '#lobby' }).waitFor();
    await bob.getByRole('button', { name: 'Show rooms to join' }).click();
    await bob.getByRole('button', { name: 'Join #lobby' }).click();
    await bob.getByRole('heading', { name: '#lobby' }).waitFor();

    // Presence: alice sees bob arrive (a notice and the list of who is here); bob finds alice there.
    await log(alice).getByText('bob joined').waitFor();
    await present(alice).getByText('bob', { exact: true }).waitFor();
    await present(bob).getByText('alice', { exact: true }).waitFor();

    // Typing: bob's first keystrokes reach alice as a notice, until his message arrives.
    await bob.locator('#composer').fill('Hi');
    await alice.getByText('bob is typing…').waitFor();

    await send(alice, 'Hello bob, welcome to the lobby');
    await log(bob).getByText('Hello bob, welcome to the lobby').waitFor();
    await send(bob, 'Hi alice, glad to be here');
    await log(alice).getByText('Hi alice, glad to be here').waitFor();
    await expectAccessible(alice, 'a room');
    await screenshot(alice, 'room-alice');
    await screenshot(bob, 'room-bob');

    // alice opens a direct conversation with bob, who stays in the lobby: an unread badge, until bob opens it.
    await alice.getByLabel('Message a user').fill('bob');
    await alice.getByRole('button', { name: 'Open', exact: true }).click();
    await alice.getByRole('heading', { name: 'bob', exact: true }).waitFor();
    await send(alice, 'Psst, a word in private?');
    const badge = conversationEntry(bob, 'alice').getByTestId('unread');
    await badge.waitFor();
    expect(await badge.innerText()).toMatch(/^1\s*unread$/);
    await screenshot(bob, 'unread');

    await conversationEntry(bob, 'alice').getByRole('button', { name: 'alice', exact: true }).click();
    await log(bob).getByText('Psst, a word in private?').waitFor();
    await badge.waitFor({ state: 'detached' });
    await expectAccessible(bob, 'a direct conversation');
    await send(bob, 'Sure, go ahead');
    await log(alice).getByText('Sure, go ahead').waitFor();
    // The read marker moved on the server too: a fresh list says 0.
    const bobApi = new ChatApi({ baseUrl: running.stack.httpUrl });
    const bobs = bobApi.withLogin(await bobApi.login('bob', PASSWORD));
    expect((await bobs.listConversations()).items.map((c) => c.unreadCount)).toEqual([0]);

    await alice.getByRole('button', { name: '#lobby' }).click();
    await alice.getByRole('heading', { name: '#lobby' }).waitFor();
    // A settled screen for the picture: the history and the members loaded.
    await log(alice).getByText('Hi alice, glad to be here').waitFor();
    await alice.getByRole('list', { name: 'Members and roles' }).getByText('bob').waitFor();
    const docsShot = await screenshot(alice, 'web-client');
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
      const target = fileURLToPath(new URL('../../docs/images/web-client.png', import.meta.url));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(docsShot, target);
    }

    // Moderation: the owner mutes bob; the contract's MUTED error reaches bob's alert region when he posts.
    await alice.getByRole('button', { name: 'Mute bob' }).click();
    await alice.getByRole('button', { name: 'Unmute bob' }).waitFor();
    await bob.getByRole('button', { name: '#lobby' }).click();
    await bob.locator('#composer').fill('Can I still talk?');
    await bob.getByRole('button', { name: 'Send', exact: true }).click();
    await bob.getByRole('alert').getByText('(MUTED)').waitFor();
    await expectAccessible(bob, 'an error shown');
  });

  it('loads older history as one scrolls up', async () => {
    const api = new ChatApi({ baseUrl: running.stack.httpUrl });
    await api.register({ username: 'dave', email: 'dave@example.com', password: PASSWORD });
    const dave = api.withLogin(await api.login('dave', PASSWORD));
    await dave.createRoom('archive');
    for (let n = 1; n <= 45; n += 1) await dave.postRoomMessage('archive', `Archived message ${n}`);
    const page = await openClient();
    await page.getByLabel('Username', { exact: true }).fill('dave');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: '#archive' }).click();

    // The most recent page first (30 messages), then the older ones once the log is scrolled to its top.
    await log(page).getByText('Archived message 45', { exact: true }).waitFor();
    expect(await log(page).getByText('Archived message 15', { exact: true }).count()).toBe(0);
    await log(page).evaluate((element) => {
      element.scrollTop = 0;
    });
    await log(page).getByText('Archived message 1', { exact: true }).waitFor();
    await page.getByText('This is the start of the history.').waitFor();
    expect(await log(page).getByRole('listitem').count()).toBe(45);
  });

  it('creates a group, logs out everywhere, and deletes the account after a confirmation', async () => {
    const api = new ChatApi({ baseUrl: running.stack.httpUrl });
    // A group is its creator and two or more others.
    for (const username of ['frank', 'grace']) {
      await api.register({ username, email: `${username}@example.com`, password: PASSWORD });
    }
    const page = await openClient();
    await signUp(page, 'erin');

    await page.getByLabel('Group participants (comma-separated)').fill('frank, grace');
    await page.getByLabel('Group title (optional)').fill('Weekend plans');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByRole('heading', { name: 'Weekend plans' }).waitFor();
    await send(page, 'Hiking on Saturday?');
    const frank = api.withLogin(await api.login('frank', PASSWORD));
    const [group] = (await frank.listConversations()).items;
    expect(group).toMatchObject({
      kind: 'group',
      title: 'Weekend plans',
      participants: ['erin', 'frank', 'grace'],
    });
    expect(group?.lastMessage?.text).toBe('Hiking on Saturday?');

    const erinElsewhere = api.withLogin(await api.login('erin', PASSWORD));
    await page.getByText('Account', { exact: true }).click();
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    await page.getByRole('heading', { name: 'Log in to the chat' }).waitFor();
    await expect(erinElsewhere.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await page.getByLabel('Username', { exact: true }).fill('erin');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();

    await page.getByText('Account', { exact: true }).click();
    await page.getByRole('button', { name: 'Delete account…' }).click();
    await page.getByLabel('Your password, to confirm').fill(PASSWORD);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByRole('heading', { name: 'Log in to the chat' }).waitFor();
    // The account is gone: logging in again is refused, and the contract's error is shown.
    await page.getByLabel('Username', { exact: true }).fill('erin');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').getByText('(INVALID_CREDENTIALS)').waitFor();
  });

  it('private rooms: invites from the room, and an invitation accepted as it arrives', async () => {
    const api = new ChatApi({ baseUrl: running.stack.httpUrl });
    await api.register({ username: 'ivy', email: 'ivy@example.com', password: PASSWORD });
    const ivy = api.withLogin(await api.login('ivy', PASSWORD));
    const page = await openClient();
    await signUp(page, 'henry');

    await page.getByLabel('New room').fill('hideout');
    await page.getByLabel('Visibility').selectOption('private');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('heading', { name: '#hideout' }).waitFor();
    await page.getByLabel('Invite a user').fill('ivy');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await expect.poll(async () => (await ivy.myInvitations()).items.map((i) => i.room)).toEqual(['hideout']);

    // ivy invites henry to a room of hers: the invitation appears live, and accepting it opens the room.
    await ivy.createRoom('den', { visibility: 'private' });
    await ivy.invite('den', 'henry');
    await page.getByRole('button', { name: 'Accept the invitation to #den' }).click();
    await page.getByRole('heading', { name: '#den' }).waitFor();
    await present(page).getByText('henry', { exact: true }).waitFor();
    await expectAccessible(page, 'a private room');
  });

  it('works by keyboard alone: log in with Tab and Enter, open a room, send a message', async () => {
    const api = new ChatApi({ baseUrl: running.stack.httpUrl });
    await api.register({ username: 'carol', email: 'carol@example.com', password: PASSWORD });
    await api.withLogin(await api.login('carol', PASSWORD)).createRoom('keyboard');
    const page = await openClient();
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        return element?.id || element?.textContent?.trim() || '';
      });
    /** Presses Tab until the focused element is `target` (an id, or a button's text); fails after 40 presses. */
    const tabTo = async (target: string) => {
      for (let presses = 0; presses < 40; presses += 1) {
        if ((await focused()) === target) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${target}; focus is on ${await focused()}`);
    };

    // Each view moves focus to its heading in an effect that runs after the paint: wait for it before pressing
    // Tab, or the move can land in the middle of the presses.
    await expect.poll(focused, { timeout: 5_000 }).toBe('auth-heading');
    await tabTo('auth-username');
    await page.keyboard.type('carol');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('auth-password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await expect.poll(focused, { timeout: 5_000 }).toBe('Welcome');
    await page.getByText('Pick a room or a conversation').waitFor();
    // The list of one's rooms arrives after the view (its own request): Tab only once it is there, or the
    // presses can run through every control before it exists (which failed the test on a loaded machine).
    await page.getByRole('button', { name: '#keyboard', exact: true }).waitFor();

    await tabTo('#keyboard');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '#keyboard' }).waitFor();
    // Opening a place moves focus to its heading, once the view has rendered (an effect after the paint).
    await expect.poll(focused, { timeout: 5_000 }).toBe('#keyboard');
    await tabTo('composer');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    await log(page).getByText('Typed without a mouse').waitFor();
    // The box is emptied once the send is answered, which may render just after the message shows.
    await expect.poll(() => page.locator('#composer').inputValue(), { timeout: 5_000 }).toBe('');
    await screenshot(page, 'keyboard');
  });
});
