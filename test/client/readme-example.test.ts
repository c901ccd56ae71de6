/**
 * The library README's "connect, join, send, receive" example, taken from the README as it is and run against
 * the local stack: only its URLs, account and room are swapped for the test's, and its package name for the
 * library's entry. Someone else in the room answers, so that the example has something to receive.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ChatSession } from '../../lib/client/index.ts';
import { startTestStack } from '../support/local-stack.ts';
import { newRoom, PASSWORD, signUp } from './helpers.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());

const readme = readFileSync(new URL('../../lib/client/README.md', import.meta.url), 'utf8');

/** The first TypeScript block after the heading `heading`. */
function exampleUnder(heading: string): string {
  const section = readme.slice(readme.indexOf(`## ${heading}`));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error(`no example under "${heading}" in the README`);
  return block;
}

/** Replaces each `from` in `source`, failing when one is not there (the README changed under the test). */
function swapped(source: string, swaps: Record<string, string>): string {
  let result = source;
  for (const [from, to] of Object.entries(swaps)) {
    expect(result, `the example should contain ${from}`).toContain(from);
    result = result.replaceAll(from, to);
  }
  return result;
}

describe('the library README', () => {
  it('its ten-line example connects, joins, sends and receives', async () => {
    const example = exampleUnder('Connect, join, send, receive');
    const code = example.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('import '));
    expect(code.length).toBeLessThanOrEqual(10);

    const alice = await signUp(stack.httpUrl, 'alice');
    const bob = await signUp(stack.httpUrl, 'bob');
    const room = await newRoom(alice.api, 'readme');
    // Bob is in the room and answers Alice's greeting.
    const bobSession = await ChatSession.connect({ url: stack.wsUrl, auth: bob.api });
    await bobSession.join(room);
    const answered = bobSession
      .waitFor('message', (message) => message.text === 'Hello, everyone!', 20_000)
      .then(() => bobSession.sendToRoom(room, 'Hi Alice'));

    const source = swapped(example, {
      "'@serverless-chat/client'": "'../../lib/client/index.ts'",
      "'https://api.example.com'": `'${stack.httpUrl}'`,
      "'wss://ws.example.com/prod'": `'${stack.wsUrl}'`,
      "'alice'": `'${alice.username}'`,
      "'correct horse battery staple'": `'${PASSWORD}'`,
      "'general'": `'${room}'`,
    });
    // Beside this file, so that its import of the library resolves as written.
    const file = fileURLToPath(new URL(`./readme-example-${process.pid}.tmp.ts`, import.meta.url));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      writeFileSync(file, source);
      await import(/* @vite-ignore */ file);
      const ack = await answered;

      const printed = log.mock.calls.map((call) => call.join(' '));
      expect(printed).toEqual([expect.stringMatching(/^sent \S+$/), `${bob.username}: Hi Alice`]);
      expect(ack.messageId).toBeTruthy();
      const history = await bob.api.recentMessages({ room }, 10);
      expect(history.map((message) => `${message.from}: ${message.text}`)).toEqual([
        `${alice.username}: Hello, everyone!`,
        `${bob.username}: Hi Alice`,
      ]);
    } finally {
      log.mockRestore();
      rmSync(file, { force: true });
      await bobSession.close();
    }
  });
});
