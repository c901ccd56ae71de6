#!/usr/bin/env node
/**
 * `npm run smoke -- --api-url URL --ws-url URL`: a check after a deployment, through the public contract only.
 * Two throw-away users and a throw-away room go through the whole path (HTTP, WebSocket, presence, room and
 * direct messages, history). One line per step; exit 0 when all pass, 1 at the first failure. Every step has a
 * time limit, so it never hangs. The throw-away accounts and room stay (the API has no delete route); their
 * names start with `smoke`.
 */
import { randomBytes } from 'node:crypto';
import { styleText } from 'node:util';
import { Command, InvalidArgumentError } from 'commander';
import { checkUrl, DEFAULT_API_URL, DEFAULT_WS_URL } from '../lib/client/cli/config.ts';
import { colourWanted, errorSentence } from '../lib/client/cli/output.ts';
import { ChatApi, ChatSession, TimeoutError } from '../lib/client/index.ts';

const program = new Command('smoke')
  .description('Post-deployment check of the chat backend through its public contract.')
  .option('--api-url <url>', 'HTTP API URL (default: $CHAT_API_URL, else http://127.0.0.1:3000)')
  .option('--ws-url <url>', 'WebSocket API URL (default: $CHAT_WS_URL, else ws://127.0.0.1:3001)')
  .option(
    '--timeout <seconds>',
    'time limit of each step',
    (value) => {
      const seconds = Number(value);
      if (!(seconds > 0)) throw new InvalidArgumentError('must be a positive number of seconds.');
      return seconds;
    },
    10,
  )
  .parse(process.argv);

const options = program.opts<{ apiUrl?: string; wsUrl?: string; timeout: number }>();
const colour = colourWanted(process.stdout);
const paint = (style: Parameters<typeof styleText>[0], text: string) =>
  colour ? styleText(style, text, { validateStream: false }) : text;

let apiUrl: string;
let wsUrl: string;
try {
  apiUrl = checkUrl(
    options.apiUrl || process.env.CHAT_API_URL || DEFAULT_API_URL,
    ['http:', 'https:'],
    'HTTP API URL',
  );
  wsUrl = checkUrl(
    options.wsUrl || process.env.CHAT_WS_URL || DEFAULT_WS_URL,
    ['ws:', 'wss:'],
    'WebSocket URL',
  );
} catch (error) {
  console.error(`Error: ${errorSentence(error)}`);
  process.exit(1);
}
const stepTimeoutMs = options.timeout * 1000;

/** Runs one step within the time limit and prints ✓ or ✗; a failure ends the run. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`the step "${name}"`, stepTimeoutMs)), stepTimeoutMs);
  });
  try {
    const result = await Promise.race([run(), deadline]);
    console.log(`${paint('green', '✓')} ${name} ${paint('dim', `(${Date.now() - startedAt} ms)`)}`);
    return result;
  } catch (error) {
    console.log(`${paint('red', '✗')} ${name}: ${errorSentence(error)}`);
    throw new SmokeFailure(name);
  } finally {
    clearTimeout(timer);
  }
}

class SmokeFailure extends Error {
  constructor(readonly step: string) {
    super(step);
  }
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

const suffix = randomBytes(4).toString('hex');
const password = randomBytes(18).toString('base64url');
const sessions: ChatSession[] = [];

console.log(`Smoke test of ${apiUrl} and ${wsUrl}`);
try {
  const anonymous = new ChatApi({ baseUrl: apiUrl, timeoutMs: stepTimeoutMs });
  const names = { a: `smoke_a_${suffix}`, b: `smoke_b_${suffix}` };

  const [alice, bob] = await step('register and log in two throw-away users', async () =>
    Promise.all(
      [names.a, names.b].map(async (username) => {
        await anonymous.register({ username, email: `${username}@example.com`, password });
        const login = await anonymous.login(username, password);
        return { username, token: login.token, api: anonymous.withToken(login.token) };
      }),
    ),
  );
  if (alice === undefined || bob === undefined) throw new SmokeFailure('register');

  const room = await step(
    'create a throw-away room',
    async () => (await alice.api.createRoom(`smoke-${suffix}`)).name,
  );

  const [a, b] = await step('connect both users over WebSocket', async () =>
    Promise.all(
      [alice, bob].map(async (user) => {
        const session = await ChatSession.connect({
          url: wsUrl,
          auth: user.api,
          requestTimeoutMs: stepTimeoutMs,
          reconnect: false,
        });
        sessions.push(session);
        return session;
      }),
    ),
  );
  if (a === undefined || b === undefined) throw new SmokeFailure('connect');

  await step('both join the room, and A sees B arrive', async () => {
    await a.join(room);
    const bobArrives = a.waitFor(
      'user_joined',
      (event) => event.room === room && event.username === bob.username,
    );
    const joined = await b.join(room);
    check(
      joined.members.includes(alice.username),
      `B's joined frame does not list A: ${joined.members.join(', ')}`,
    );
    await bobArrives;
  });

  const roomText = `smoke room message ${suffix}`;
  await step('A sends a room message that B receives', async () => {
    const received = b.waitFor('message', (message) => message.room === room && message.text === roomText);
    await a.sendToRoom(room, roomText);
    await received;
  });

  const directText = `smoke direct message ${suffix}`;
  const conversationId = await step(
    'A opens a DM with B and sends over WebSocket; B receives it',
    async () => {
      const { value: conversation } = await alice.api.openConversation(bob.username);
      const received = b.waitFor(
        'message',
        (message) => message.conversationId === conversation.conversationId && message.text === directText,
      );
      await a.sendToConversation(conversation.conversationId, directText);
      await received;
      return conversation.conversationId;
    },
  );

  await step('the history holds both messages', async () => {
    const roomHistory = await bob.api.recentMessages({ room }, 10);
    check(
      roomHistory.some((message) => message.text === roomText),
      'the room message is not in the room history',
    );
    const directHistory = await bob.api.recentMessages({ conversationId }, 10);
    check(
      directHistory.some((message) => message.text === directText),
      'the direct message is not in the conversation history',
    );
  });

  await step('B leaves (A sees it), then both close', async () => {
    const bobLeaves = a.waitFor(
      'user_left',
      (event) => event.room === room && event.username === bob.username,
    );
    await b.leave(room);
    await bobLeaves;
    await Promise.all(sessions.splice(0).map((session) => session.close()));
  });

  console.log(paint('green', 'Smoke test passed.'));
} catch (error) {
  await Promise.all(sessions.map((session) => session.close()));
  const failed = error instanceof SmokeFailure ? error.step : 'setup';
  if (!(error instanceof SmokeFailure)) console.log(`${paint('red', '✗')} ${errorSentence(error)}`);
  console.log(paint('red', `Smoke test failed at: ${failed}`));
  process.exitCode = 1;
  // A step that timed out may still hold a socket or a request: do not wait for it.
  setTimeout(() => process.exit(1), 1000).unref();
}
