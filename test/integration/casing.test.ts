import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/data/client.ts';
import { ConnectionRepository } from '../../lambdas/data/connections.ts';
import { ConversationRepository } from '../../lambdas/data/conversations.ts';
import { conversationIdOf } from '../../lambdas/data/keys.ts';
import { UserRepository } from '../../lambdas/data/users.ts';
import { useFreshTable } from '../support/table.ts';

// The repositories take names as users typed them and leave casing to lambdas/data/keys.ts: whatever casing a
// caller uses finds the same items, and the items show the case given at registration.
const { tableName } = await useFreshTable();
const doc = createDocumentClient();
const users = new UserRepository(doc, tableName);
const connections = new ConnectionRepository(doc, tableName);
const conversations = new ConversationRepository(doc, tableName);

const uniqueName = (prefix: string) => `${prefix}${randomUUID().slice(0, 8)}`;

async function registered(username: string) {
  const user = {
    userId: randomUUID(),
    username,
    email: `${username}@Example.com`,
    passwordHash: 'not-a-real-hash',
    createdAt: new Date().toISOString(),
  };
  expect(await users.create(user)).toBe(true);
  return user;
}

async function connected(username: string) {
  const connection = {
    connectionId: `${randomUUID()}=`,
    userId: randomUUID(),
    username,
    connectedAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
  };
  await connections.put(connection);
  return connection;
}

describe('casing of names in the data layer', () => {
  it('finds a user by any casing and shows the username as registered', async () => {
    const user = await registered(uniqueName('Alice'));

    const found = [user.username.toLowerCase(), user.username.toUpperCase(), user.username].map((name) =>
      users.findByUsername(name),
    );

    for (const result of await Promise.all(found)) expect(result?.username).toBe(user.username);
  });

  it('refuses a username or an email that differs from a taken one only in case', async () => {
    const user = await registered(uniqueName('Carol'));

    const sameName = { ...user, userId: randomUUID(), email: `${uniqueName('other')}@example.com` };
    const sameEmail = { ...user, userId: randomUUID(), username: uniqueName('other') };

    expect(await users.create({ ...sameName, username: user.username.toLowerCase() })).toBe(false);
    expect(await users.create({ ...sameEmail, email: user.email.toUpperCase() })).toBe(false);
  });

  it('counts connections held under two casings of one username as one user in a room', async () => {
    const username = uniqueName('Dave');
    const room = uniqueName('casing-');
    const [first, second] = [await connected(username), await connected(username.toLowerCase())];

    const firstJoin = await connections.join(room, first);
    const secondJoin = await connections.join(room, second);

    expect(firstJoin).toEqual({ kind: 'joined', firstOfUser: true });
    expect(secondJoin).toEqual({ kind: 'joined', firstOfUser: false });
    expect((await connections.members(room)).map((member) => member.username).sort()).toEqual(
      [username, username.toLowerCase()].sort(),
    );
    expect((await connections.connectionIdsOf(username.toUpperCase())).sort()).toEqual(
      [first.connectionId, second.connectionId].sort(),
    );
  });

  it('keeps the participants of a conversation as registered, found by any casing', async () => {
    const [erin, frank] = [uniqueName('Erin'), uniqueName('Frank')];
    const conversationId = conversationIdOf(erin, frank);
    const participants = [erin, frank] as [string, string];

    await conversations.open(
      { conversationId, kind: 'direct', participants, createdAt: new Date().toISOString() },
      erin,
      false,
    );

    const seen = await conversations.getFor(erin.toUpperCase(), conversationId);
    const listed = await conversations.listFor(frank.toLowerCase(), 10, undefined);
    expect(seen?.participants).toEqual(participants);
    expect(listed.items.map((conversation) => conversation.participants)).toEqual([participants]);
  });
});
