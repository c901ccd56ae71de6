/**
 * The chat window's commands on one message (`/reply`, `/edit`, `/delete`, `/react`, `/unreact`) against the local
 * stack, through a real signed-in client, and how the window renders edited, deleted, replying and reacted-to
 * messages and the lines of their live changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { changeNotice, MessageLog, runMessageAction } from '../../lib/client/cli/message-actions.ts';
import { MessagePrinter, Painter } from '../../lib/client/cli/output.ts';
import { newRoom, signUp } from '../client/helpers.ts';
import { startTestStack } from '../support/local-stack.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());

describe('the chat window’s commands on a message', () => {
  it('reply, edit, react, unreact and delete the message named by how far back it is, or by id', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const room = await newRoom(alice.api);
    const place = { room };
    const { value: older } = await alice.api.postRoomMessage(room, 'older');
    const { value: last } = await alice.api.postRoomMessage(room, 'last');
    const log = new MessageLog();
    log.remember(older);
    log.remember(last);
    const printed: string[] = [];
    const replies: [string, string][] = [];
    const window = {
      api: alice.api,
      place,
      log,
      print: (line: string) => printed.push(line),
      printError: (prefix: string, error: unknown) => printed.push(`${prefix}${(error as Error).message}`),
      reply: (text: string, replyTo: string) => replies.push([text, replyTo]),
    };
    const run = (line: string) => {
      const [name = ''] = line.split(' ');
      return runMessageAction(name, line.slice(name.length), window);
    };

    expect(await run('/reply 2 quite right')).toBe(true);
    await run('/edit 2 older, edited');
    await run('/react 👍');
    await run(`/react ${older.messageId} 🎉`);
    await run('/unreact 2 🎉');
    await run('/delete 1');
    await run('/edit 9 nothing there');
    await run('/react 1 not-an-emoji');

    expect(replies).toEqual([['quite right', older.messageId]]);
    const { items } = await alice.api.roomMessages(room);
    expect(
      items.map(({ text, editedAt, deleted, reactions }) => ({ text, editedAt, deleted, reactions })),
    ).toEqual([
      { text: 'older, edited', editedAt: expect.any(String), deleted: undefined, reactions: undefined },
      { text: '', editedAt: undefined, deleted: true, reactions: undefined },
    ]);
    expect(printed[0]).toMatch(/^Usage:/);
    expect(printed[1]).toMatch(/^react failed: /);
    expect(await run('/who')).toBe(false);
  });

  it('renders edits, tombstones, replies, reactions and the lines of live changes', () => {
    const lines: string[] = [];
    const printer = new MessagePrinter(new Painter(false), (line) => lines.push(line), 'alice');
    const base = { room: 'r', from: 'alice', sentAt: new Date().toISOString() };
    const log = new MessageLog();
    const edited = {
      ...base,
      messageId: 'm1',
      text: 'hi',
      editedAt: base.sentAt,
      reactions: [{ emoji: '👍', count: 2, me: true }],
    };
    printer.message(edited);
    printer.message({ ...base, messageId: 'm2', text: 'yes', replyTo: 'm1' });
    printer.message({ ...base, messageId: 'm3', text: '', deleted: true });
    log.remember(edited);

    expect(lines.map((line) => line.replace(/^\[\d\d:\d\d\] /, ''))).toEqual([
      'alice: hi (edited) [👍 2]',
      'alice: ↪ yes',
      'alice: (deleted)',
    ]);
    expect(
      changeNotice(
        { type: 'reaction', messageId: 'm1', room: 'r', emoji: '🎉', username: 'bob', added: true },
        log,
      ),
    ).toBe('bob reacted 🎉 to a message of alice');
    expect(changeNotice({ type: 'message_deleted', messageId: 'zz', room: 'r' }, log)).toBe(
      'a message was deleted',
    );
    expect(changeNotice({ type: 'message_updated', ...edited, text: 'hi\u001b[2J' }, log)).toBe(
      'alice edited: hi\ufffd[2J',
    );
  });
});
