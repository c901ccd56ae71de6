/**
 * Races on one message that the database must decide, run against DynamoDB Local through the repository: many
 * users reacting with one emoji at once, one user adding and taking back a reaction at once, more distinct emoji
 * than allowed at once, and edits racing deletions.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import { reactionKey, roomMembershipKey } from '../../lambdas/data/keys.ts';
import { MessageChangeRepository } from '../../lambdas/data/message-changes.ts';
import { MessageRepository, toHistoryMessage } from '../../lambdas/data/messages.ts';
import { scanAll, tableReader, useFreshTable } from '../support/table.ts';

const { tableName, endpoint } = await useFreshTable();
const doc = tableReader(endpoint);
const messages = new MessageRepository(doc, tableName);
const changes = new MessageChangeRepository(doc, tableName);
const newId = monotonicFactory();
const MAX = 20;

async function newMessage(room: string) {
  const message = {
    messageId: newId(),
    room,
    from: 'alice',
    text: 'hello',
    sentAt: new Date().toISOString(),
  };
  await messages.append(message);
  return message;
}

describe('the database decides', () => {
  it('20 users reacting with one emoji at once count 20, under one distinct emoji', async () => {
    const room = `r-${randomUUID().slice(0, 8)}`;
    const { messageId } = await newMessage(room);
    const users = Array.from({ length: 20 }, (_, index) => `user${index}`);

    const outcomes = await Promise.all(
      users.map((user) => changes.react({ room }, messageId, user, '🔥', true, MAX)),
    );

    expect(outcomes.every((outcome) => outcome === 'changed')).toBe(true);
    const stored = await changes.get({ room }, messageId);
    expect(stored?.reactionKinds).toBe(1);
    expect(toHistoryMessage(stored ?? {}).reactions).toEqual([{ emoji: '🔥', count: 20, me: false }]);
  });

  it('one user adding and taking back a reaction at once ends with the count its item says', async () => {
    const room = `r-${randomUUID().slice(0, 8)}`;
    const { messageId } = await newMessage(room);
    await changes.react({ room }, messageId, 'bob', '👍', true, MAX);

    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        changes.react({ room }, messageId, 'bob', '👍', index % 2 === 0, MAX),
      ),
    );

    const stored = await changes.get({ room }, messageId);
    const items = (await scanAll(doc, tableName)).filter(
      (item) => item.PK === reactionKey({ room }, 'bob', messageId, '👍').PK && item.type === 'Reaction',
    );
    const count = stored?.R_1f44d ?? 0;
    expect(count).toBe(items.length);
    expect(stored?.reactionKinds ?? 0).toBe(items.length);
  });

  it('25 distinct emoji at once: exactly 20 are taken', async () => {
    const room = `r-${randomUUID().slice(0, 8)}`;
    const { messageId } = await newMessage(room);
    const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩🤔🤨😐😑'];
    expect(emoji).toHaveLength(25);

    const outcomes = await Promise.all(
      emoji.map((one) => changes.react({ room }, messageId, 'carol', one, true, MAX)),
    );

    expect(outcomes.filter((outcome) => outcome === 'changed')).toHaveLength(20);
    expect(outcomes.filter((outcome) => outcome === 'too-many')).toHaveLength(5);
    expect((await changes.get({ room }, messageId))?.reactionKinds).toBe(20);
  });

  it('an edit racing a deletion never leaves an edited tombstone', async () => {
    const room = `r-${randomUUID().slice(0, 8)}`;
    for (let round = 0; round < 10; round++) {
      const message = await newMessage(room);
      const stored = await changes.get({ room }, message.messageId);
      const [edit, deletion] = await Promise.all([
        changes.edit({ room }, message.messageId, 'alice', 'edited', new Date().toISOString()),
        changes.delete({ room }, stored ?? { from: 'alice' }, { author: 'alice' }),
      ]);
      expect(deletion).toBe('deleted');
      expect('edited' in edit || edit.refused === 'not-found').toBe(true);
      const after = await changes.get({ room }, message.messageId);
      expect(after).toMatchObject({ deleted: true, text: '' });
      expect(after?.editedAt).toBeUndefined();
    }
  });

  it('a moderator demoted before the deletion commits is refused by the deleting transaction', async () => {
    const room = `r-${randomUUID().slice(0, 8)}`;
    const message = await newMessage(room);
    const member = (role: string) =>
      doc.send(new PutCommand({ TableName: tableName, Item: { ...roomMembershipKey(room, 'dora'), role } }));
    // The domain read dora's role as moderator; the demotion lands before the deletion's transaction.
    await member('member');
    const stored = await changes.get({ room }, message.messageId);

    const refused = await changes.delete({ room }, stored ?? { from: 'alice' }, { moderator: 'dora', room });
    await member('moderator');
    const allowed = await changes.delete({ room }, stored ?? { from: 'alice' }, { moderator: 'dora', room });

    expect(refused).toBe('not-allowed');
    expect(allowed).toBe('deleted');
  });
});
