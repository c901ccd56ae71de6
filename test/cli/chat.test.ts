import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChatApi, ChatSession } from '../../lib/client/index.ts';
import { PASSWORD } from '../support/accounts.ts';
import {
  type ChatEnvironment,
  ChatProcess,
  messageLine,
  newConfigDir,
  runChat,
  startCliTestStack,
} from './harness.ts';

const stack = await startCliTestStack();

interface Person {
  readonly username: string;
  readonly env: ChatEnvironment;
}

/**
 * A person with their own config directory, logged in through the CLI. Registration goes through the typed
 * client (the CLI's `register` has its own tests), which saves a child process per person.
 */
async function person(prefix: string): Promise<Person> {
  const username = `${prefix}_${randomBytes(3).toString('hex')}`;
  const env = { apiUrl: stack.httpUrl, wsUrl: stack.wsUrl, configDir: newConfigDir() };
  await new ChatApi({ baseUrl: stack.httpUrl }).register({
    username,
    email: `${username}@example.com`,
    password: PASSWORD,
  });
  const loggedIn = await runChat(['login', username], env, { input: `${PASSWORD}\n` });
  expect(loggedIn.code, loggedIn.stderr).toBe(0);
  return { username, env };
}

let ann: Person;
let ben: Person;
let room: string;

beforeAll(async () => {
  [ann, ben] = await Promise.all([person('ann'), person('ben')]);
  room = `lobby-${randomBytes(3).toString('hex')}`;
  const created = await runChat(['rooms', 'create', room], ann.env);
  expect(created.code, created.stderr).toBe(0);
});

describe('chat rooms', () => {
  it('lists the rooms as a table and as JSON', async () => {
    const [tableResult, jsonResult] = await Promise.all([
      runChat(['rooms'], ben.env),
      runChat(['rooms', '--json'], ben.env),
    ]);
    expect(tableResult.code).toBe(0);
    expect(tableResult.stdout.split('\n')[0]).toMatch(
      /^NAME\s+VISIBILITY\s+MEMBERS\s+YOUR ROLE\s+UNREAD\s+CREATED BY\s+CREATED\s+TOPIC$/,
    );
    expect(tableResult.stdout).toMatch(
      new RegExp(`^${room}\\s+public\\s+\\d+\\s+\\S+\\s+\\S+\\s+${ann.username}\\s+\\d\\d:\\d\\d\\s*$`, 'm'),
    );
    expect(JSON.parse(jsonResult.stdout)).toContainEqual(
      expect.objectContaining({ name: room, createdBy: ann.username }),
    );
  });

  it('creates a private room with a topic, invites, and lists its members and your role', async () => {
    const secret = `secret-${randomBytes(3).toString('hex')}`;

    const created = await runChat(['rooms', 'create', secret, '--private', '--topic', 'Plans'], ann.env);
    const hidden = await runChat(['members', secret], ben.env);
    // Ben's open chat window (in another room) is told of the invitation.
    const window = ChatProcess.start(['join', room], ben.env);
    await window.waitForLine(/^Here now: /);
    const invited = await runChat(['invite', secret, ben.username], ann.env);
    await window.waitForLine(
      new RegExp(
        `^\\[\\d\\d:\\d\\d\\] \\* ${ann.username} invited you to ${secret} \\(chat join ${secret}\\)$`,
      ),
    );
    window.end();
    expect((await window.result()).code).toBe(0);
    // `chat join` accepts the invitation; with no input, the window closes at once.
    const joined = await runChat(['join', secret], ben.env, { input: '' });
    const [members, listed] = await Promise.all([
      runChat(['members', secret], ben.env),
      runChat(['rooms'], ben.env),
    ]);

    expect(created.stdout).toBe(`Created private room ${secret}. Join it with: chat join ${secret}\n`);
    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toMatch(/\(ROOM_NOT_FOUND\)$/m);
    expect(invited.stdout).toBe(`Invited ${ben.username} to ${secret}.\n`);
    expect(joined.code, joined.stderr).toBe(0);
    expect(members.stdout.split('\n')[0]).toMatch(/^USERNAME\s+ROLE\s+JOINED$/);
    expect(members.stdout).toMatch(new RegExp(`^${ann.username}\\s+owner\\s+`, 'm'));
    expect(members.stdout).toMatch(new RegExp(`^${ben.username}\\s+member\\s+`, 'm'));
    expect(listed.stdout).toMatch(
      new RegExp(
        `^${secret}\\s+private\\s+2\\s+member\\s+-\\s+${ann.username}\\s+\\d\\d:\\d\\d\\s+Plans$`,
        'm',
      ),
    );
  });

  it('refuses to join a room that does not exist', async () => {
    const result = await runChat(['join', 'no-such-room'], ben.env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Error: there is no room named "no-such-room" \(ROOM_NOT_FOUND\)$/);
  });
});

describe('chat join', () => {
  it('lets two people in two processes see each other arrive, talk and leave', async () => {
    const a = ChatProcess.start(['join', room], ann.env);
    await a.waitForLine(/^Here now: /);

    const b = ChatProcess.start(['join', room], ben.env);
    await b.waitForLine(new RegExp(`^Here now: .*${ann.username}`));
    await a.waitForLine(new RegExp(`^\\[\\d\\d:\\d\\d\\] \\* ${ben.username} joined$`));

    b.write('hello from ben\n');
    await a.waitForLine(messageLine(ben.username, 'hello from ben'));
    // The sender sees its own line once the server has acknowledged it.
    await b.waitForLine(messageLine(ben.username, 'hello from ben'));

    a.write('hi ben\n');
    await b.waitForLine(messageLine(ann.username, 'hi ben'));

    // A message sent over HTTP by someone who has not joined reaches the joined clients too.
    const sent = await runChat(['send', room, 'sent', 'over', 'http'], ben.env);
    expect(sent.code, sent.stderr).toBe(0);
    await a.waitForLine(messageLine(ben.username, 'sent over http'));

    b.end();
    expect((await b.result()).code).toBe(0);
    await a.waitForLine(new RegExp(`^\\[\\d\\d:\\d\\d\\] \\* ${ben.username} left$`));
    a.end();
    const annResult = await a.result();
    expect(annResult.code).toBe(0);
    expect(annResult.stderr).toBe('');
  });

  it('shows the recent history first, then sends each input line in order until the input ends', async () => {
    const historyRoom = `hist-${randomBytes(3).toString('hex')}`;
    await runChat(['rooms', 'create', historyRoom], ann.env);
    const first = await runChat(['join', historyRoom], ann.env, { input: 'one\ntwo\n\nthree\n' });
    expect(first.code, first.stderr).toBe(0);

    const second = await runChat(['join', historyRoom], ben.env, { input: '' });
    expect(second.code).toBe(0);
    const lines = second.stdout.split('\n');
    const texts = lines.filter((line) => /^\[\d\d:\d\d\] /.test(line));
    expect(texts).toEqual([
      expect.stringMatching(messageLine(ann.username, 'one')),
      expect.stringMatching(messageLine(ann.username, 'two')),
      expect.stringMatching(messageLine(ann.username, 'three')),
    ]);
    expect(lines.indexOf(`Here now: ${ben.username}`)).toBeGreaterThan(lines.indexOf(texts[2] as string));

    const [history, json] = await Promise.all([
      runChat(['history', historyRoom, '--limit', '2'], ben.env),
      runChat(['history', historyRoom, '--json'], ben.env),
    ]);
    expect(history.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(messageLine(ann.username, 'two')),
      expect.stringMatching(messageLine(ann.username, 'three')),
    ]);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ room: historyRoom, from: ann.username, text: 'one' }),
      expect.objectContaining({ text: 'two' }),
      expect.objectContaining({ text: 'three' }),
    ]);
  });
});

describe('chat dm', () => {
  it('creates the conversation, delivers both ways, and lists it', async () => {
    const a = ChatProcess.start(['dm', ben.username], ann.env);
    await a.waitForLine(new RegExp(`^Conversation with ${ben.username}`));

    const b = ChatProcess.start(['dm', `@${ann.username}`], ben.env);
    await b.waitForLine(new RegExp(`^Conversation with ${ann.username}`));
    b.write('psst, ann\n');
    await a.waitForLine(messageLine(ben.username, 'psst, ann'));
    a.write('yes?\n');
    await b.waitForLine(messageLine(ann.username, 'yes?'));
    b.end();
    expect((await b.result()).code).toBe(0);

    const sent = await runChat(['send', `@${ann.username}`, 'one more thing'], ben.env);
    expect(sent.code, sent.stderr).toBe(0);
    await a.waitForLine(messageLine(ben.username, 'one more thing'));
    a.end();
    expect((await a.result()).code).toBe(0);

    const [conversations, conversationsJson, history] = await Promise.all([
      runChat(['conversations'], ann.env),
      runChat(['conversations', '--json'], ann.env),
      runChat(['history', `@${ben.username}`], ann.env),
    ]);
    // Ann's window showed it, so it moved her read marker: nothing unread.
    expect(conversations.stdout).toMatch(
      new RegExp(`^${ben.username}\\s+${ben.username}: one more thing\\s+\\d\\d:\\d\\d\\s+-$`, 'm'),
    );
    expect(JSON.parse(conversationsJson.stdout)).toEqual([
      expect.objectContaining({
        peer: ben.username,
        lastMessage: expect.objectContaining({ text: 'one more thing' }),
      }),
    ]);
    expect(history.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(messageLine(ben.username, 'psst, ann')),
      expect.stringMatching(messageLine(ann.username, 'yes?')),
      expect.stringMatching(messageLine(ben.username, 'one more thing')),
    ]);
  });
});

describe('a per-user rate reached', () => {
  it('is an error with retryAfterMs in the typed client, and "slow down" from the CLI', async () => {
    const cid = await person('cid');
    const api = await new ChatApi({ baseUrl: stack.httpUrl })
      .login(cid.username, PASSWORD)
      .then((login) => new ChatApi({ baseUrl: stack.httpUrl }).withLogin(login));
    // Room creations: 10 a minute, burst 10 (the defaults).
    for (let index = 0; index < 10; index++)
      await api.createRoom(`cid-${index}-${randomBytes(3).toString('hex')}`);
    const refused = await api.createRoom('cid-one-too-many').then(
      () => expect.fail('the 11th room was created'),
      (error: { code?: string; retryAfterMs?: number }) => error,
    );
    expect(refused.code).toBe('RATE_LIMITED');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(6_000);

    const cli = await runChat(['rooms', 'create', 'cid-still-too-many'], cid.env);

    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^Error: slow down, try again in [1-6] s \(RATE_LIMITED\)\n$/);
  });
});

describe('the chat window’s typing line', () => {
  it('shows when someone else types in the room', async () => {
    const login = await new ChatApi({ baseUrl: stack.httpUrl }).login(ann.username, PASSWORD);
    const session = await ChatSession.connect({ url: stack.wsUrl, token: login.token });
    try {
      await session.join(room);
      const window = ChatProcess.start(['join', room], ben.env);
      await window.waitForLine(/^Here now: /);
      expect(session.typing({ room })).toBe(true);
      await window.waitForLine(new RegExp(`^\\[\\d\\d:\\d\\d\\] \\* ${ann.username} is typing…$`));
      window.end();
      expect((await window.result()).code).toBe(0);
    } finally {
      await session.close();
    }
  });
});
