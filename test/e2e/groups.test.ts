import { afterAll, describe, expect, it } from 'vitest';
import { limits } from '../../lib/contract/limits.ts';
import { newAccount, type User } from '../support/accounts.ts';
import { expectError, expectValidationError } from '../support/contract.ts';
import type { Json } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { count, messageWithId, realtimeHarness } from '../support/realtime.ts';
import type { Frame } from '../support/ws-client.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const { api, connectEach, ask, messageBarrier, pingPong } = realtimeHarness(stack);

const byName = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1);
const path = (conversationId: string, rest = '') => `/conversations/${conversationId}${rest}`;

function createGroup(creator: Pick<User, 'token'>, participants: unknown, title?: unknown) {
  const body = title === undefined ? { participants } : { participants, title };
  return api.call('POST', '/conversations', { token: creator.token, body });
}

const addParticipant = (by: Pick<User, 'token'>, conversationId: string, username: unknown) =>
  api.call('POST', path(conversationId, '/participants'), { token: by.token, body: { username } });

const leaveGroup = (user: Pick<User, 'token'>, conversationId: string) =>
  api.call('DELETE', path(conversationId, '/participants/me'), { token: user.token });

/** Alice's new group with bob and carol, titled "Trip". */
async function aGroup() {
  const [alice, bob, carol] = (await api.signUpEach('alice', 'bob', 'carol')) as [User, User, User];
  const created = await createGroup(alice, [bob.username, carol.username], 'Trip');
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { alice, bob, carol, conversationId: created.body.conversation.conversationId as string };
}

/** Registers accounts without logging them in (adding a user needs only their name). */
async function registered(howMany: number): Promise<string[]> {
  const accounts = Array.from({ length: howMany }, () => newAccount('member'));
  for (const account of accounts) {
    expect((await api.callRoute('POST /auth/register', { body: account })).status).toBe(201);
  }
  return accounts.map((account) => account.username);
}

const participantFrame = (type: string, conversationId: string, username: string) => (frame: Frame) =>
  frame.type === type && frame.conversationId === conversationId && frame.username === username;

describe('POST /conversations with participants', () => {
  it('creates a new group each time, duplicates and the creator collapsed, listed by every participant', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const named = [bob.username, carol.username.toUpperCase(), bob.username, alice.username];

    const first = await createGroup(alice, named, 'Trip');
    const second = await createGroup(alice, named);

    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      conversation: {
        conversationId: expect.stringMatching(/^c_[A-Za-z0-9_-]{22}$/),
        kind: 'group',
        participants: [alice.username, bob.username, carol.username].sort(byName),
        title: 'Trip',
        createdAt: expect.any(String),
        lastMessage: null,
      },
    });
    expect(second.status).toBe(201);
    expect(second.body.conversation.conversationId).not.toBe(first.body.conversation.conversationId);
    expect(second.body.conversation.title).toBeUndefined();
    for (const user of [alice, bob, carol]) {
      const listed = (await api.listConversations(user)).conversations as Json[];
      const group = listed.find((item) => item.conversationId === first.body.conversation.conversationId);
      expect(group).toMatchObject({ kind: 'group', title: 'Trip', unreadCount: 0, lastReadMessageId: null });
      expect(group.participants).toEqual(first.body.conversation.participants);
    }
  });

  it('refuses fewer than two others, unknown users, a blocker, and mixed bodies, creating nothing', async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    expect((await api.call('PUT', `/me/blocks/${alice.username}`, { token: carol.token })).status).toBe(204);

    expectValidationError(await createGroup(alice, [bob.username, alice.username]), ['participants']);
    expectValidationError(await createGroup(alice, []), ['participants']);
    expectError(await createGroup(alice, [bob.username, 'nobody_here_at_all']), 404, 'USER_NOT_FOUND');
    expectError(await createGroup(alice, [bob.username, carol.username]), 403, 'BLOCKED');
    expectValidationError(
      await api.call('POST', '/conversations', {
        token: alice.token,
        body: { peer: bob.username, participants: [bob.username, carol.username] },
      }),
      ['peer'],
    );
    expectValidationError(
      await api.call('POST', '/conversations', {
        token: alice.token,
        body: { peer: bob.username, title: 'x' },
      }),
      ['title'],
    );
    expectValidationError(await createGroup(alice, [bob.username, carol.username], ' \n'), ['title']);
    expectValidationError(await createGroup(alice, [bob.username, carol.username], 'x'.repeat(101)), [
      'title',
    ]);
    expect((await api.listConversations(alice)).conversations).toEqual([]);
    expect((await api.listConversations(bob)).conversations).toEqual([]);
  });

  it('keeps `peer` opening the one direct conversation of a pair, of kind direct', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const direct = await api.openConversation(alice, bob.username);
    expect(direct.kind).toBe('direct');
    expect(direct.title).toBeUndefined();
  });
});

describe('messages in a group', () => {
  it('reach the three participants’ sockets once each, over the socket and over HTTP', async () => {
    const { alice, bob, carol, conversationId } = await aGroup();
    const [aliceSocket, bobSocket, carolSocket] = await connectEach(alice, bob, carol);

    const ack = await ask(aliceSocket, { action: 'message', conversationId, text: 'hello all' }, 'ack');
    const posted = await api.call('POST', path(conversationId, '/messages'), {
      token: bob.token,
      body: { text: 'over http' },
    });
    expect(ack.type).toBe('ack');
    expect(posted.status).toBe(201);
    await messageBarrier(carolSocket, { conversationId }, [aliceSocket, bobSocket]);

    expect(count(aliceSocket, messageWithId(ack.messageId))).toBe(0);
    expect(count(bobSocket, messageWithId(ack.messageId))).toBe(1);
    expect(count(carolSocket, messageWithId(ack.messageId))).toBe(1);
    for (const socket of [aliceSocket, bobSocket, carolSocket]) {
      expect(count(socket, messageWithId(posted.body.message.messageId))).toBe(1);
    }
    const history = await api.conversationHistory(conversationId, carol);
    expect(history.map((message: Json) => message.text)).toEqual(['hello all', 'over http', 'barrier']);
    // Bob's own post counts as reading what came before it: carol's barrier is his one unread message; carol's
    // own last message leaves her nothing unread.
    const bobsList = (await api.listConversations(bob)).conversations as Json[];
    expect(bobsList[0]).toMatchObject({ conversationId, unreadCount: 1, lastMessage: { text: 'barrier' } });
    expect((await api.listConversations(carol)).conversations[0].unreadCount).toBe(0);
  });

  it('sends read receipts and typing to the other participants', async () => {
    const { alice, bob, carol, conversationId } = await aGroup();
    const [aliceSocket, bobSocket, carolSocket] = await connectEach(alice, bob, carol);
    const ack = await ask(aliceSocket, { action: 'message', conversationId, text: 'read me' }, 'ack');

    const read = await api.call('POST', path(conversationId, '/read'), {
      token: bob.token,
      body: { messageId: ack.messageId },
    });
    bobSocket.send({ action: 'typing', conversationId });

    expect(read.status).toBe(200);
    for (const socket of [aliceSocket, carolSocket]) {
      expect(await socket.next((frame) => frame.type === 'read')).toEqual({
        type: 'read',
        conversationId,
        username: bob.username,
        messageId: ack.messageId,
      });
      expect(await socket.next((frame) => frame.type === 'typing')).toEqual({
        type: 'typing',
        conversationId,
        username: bob.username,
      });
    }
    await pingPong(bobSocket);
    expect(bobSocket.ofType('read')).toEqual([]);
    expect(bobSocket.ofType('typing')).toEqual([]);
  });

  it('lets any participant edit their message, react and delete, seen live by the others', async () => {
    const { alice, bob, carol, conversationId } = await aGroup();
    const [, carolSocket] = await connectEach(alice, carol);
    const sent = await api.call('POST', path(conversationId, '/messages'), {
      token: alice.token,
      body: { text: 'typo' },
    });
    const messageId = sent.body.message.messageId as string;
    const messagePath = path(conversationId, `/messages/${messageId}`);

    const edited = await api.call('PATCH', messagePath, { token: alice.token, body: { text: 'fixed' } });
    const reacted = await api.call('PUT', `${messagePath}/reactions/👍`, { token: bob.token });
    const deleted = await api.call('DELETE', messagePath, { token: alice.token });

    expect([edited.status, reacted.status, deleted.status]).toEqual([200, 204, 204]);
    await carolSocket.next((frame) => frame.type === 'message_updated' && frame.text === 'fixed');
    await carolSocket.next((frame) => frame.type === 'reaction' && frame.username === bob.username);
    await carolSocket.next((frame) => frame.type === 'message_deleted' && frame.messageId === messageId);
  });
});

describe('POST /conversations/{id}/participants', () => {
  it('adds a user: every participant’s sockets and the added user’s get participant_added', async () => {
    const { alice, bob, carol, conversationId } = await aGroup();
    const [dave] = await api.signUpEach('dave');
    const [aliceSocket, bobSocket, carolSocket, daveSocket] = await connectEach(alice, bob, carol, dave);
    const earlier = await ask(aliceSocket, { action: 'message', conversationId, text: 'before dave' }, 'ack');

    const added = await addParticipant(bob, conversationId, dave.username.toUpperCase());
    // Dave's item starts at the group's last message, read: what came before he joined is not unread.
    const [davesGroup] = (await api.listConversations(dave)).conversations as Json[];
    expect(davesGroup).toMatchObject({
      conversationId,
      unreadCount: 0,
      lastReadMessageId: earlier.messageId,
      lastMessage: { messageId: earlier.messageId, text: 'before dave' },
    });

    expect(added.status).toBe(201);
    expect(added.body.conversation.participants).toEqual(
      [alice.username, bob.username, carol.username, dave.username].sort(byName),
    );
    const frame = { type: 'participant_added', conversationId, username: dave.username, by: bob.username };
    for (const socket of [aliceSocket, bobSocket, carolSocket, daveSocket]) {
      expect(await socket.next(participantFrame('participant_added', conversationId, dave.username))).toEqual(
        frame,
      );
    }
    const ack = await ask(daveSocket, { action: 'message', conversationId, text: 'hi, I am in' }, 'ack');
    expect(ack.type).toBe('ack');
    expect((await api.listConversations(dave)).conversations[0]).toMatchObject({
      conversationId,
      kind: 'group',
    });
  });

  it('refuses strangers, direct conversations, unknown users, a participant, a blocker', async () => {
    const { alice, bob, carol, conversationId } = await aGroup();
    const [dave, erin] = await api.signUpEach('dave', 'erin');
    const direct = await api.openConversation(alice, bob.username);
    expect((await api.call('PUT', `/me/blocks/${alice.username}`, { token: erin.token })).status).toBe(204);

    expectError(await addParticipant(dave, conversationId, erin.username), 404, 'CONVERSATION_NOT_FOUND');
    expectError(await addParticipant(alice, 'c_nothing', erin.username), 404, 'CONVERSATION_NOT_FOUND');
    expectError(await addParticipant(alice, direct.conversationId, dave.username), 409, 'NOT_A_GROUP');
    expectError(await addParticipant(alice, conversationId, 'nobody_here_at_all'), 404, 'USER_NOT_FOUND');
    expectError(await addParticipant(alice, conversationId, carol.username), 409, 'ALREADY_MEMBER');
    expectError(await addParticipant(alice, conversationId, erin.username), 403, 'BLOCKED');
    expectValidationError(await addParticipant(alice, conversationId, 'a b'), ['username']);
    expect((await addParticipant(bob, conversationId, erin.username)).status).toBe(201);
  });

  it(`admits exactly up to ${limits.maxGroupParticipants} participants when adds race`, async () => {
    const [alice] = await api.signUpEach('alice');
    const others = await registered(limits.maxGroupParticipants + 4);
    const initial = others.slice(0, limits.maxGroupParticipants - 3);
    const created = await createGroup(alice, initial);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const conversationId = created.body.conversation.conversationId as string;

    const racing = others.slice(limits.maxGroupParticipants - 3);
    const answers = await Promise.all(racing.map((name) => addParticipant(alice, conversationId, name)));

    // Every answer in the message: a failure once under load (1 admitted of 2) left no trace of the others.
    const statuses = JSON.stringify(answers.map((answer) => [answer.status, answer.body?.error?.code]));
    expect(
      answers.filter((answer) => answer.status === 201),
      statuses,
    ).toHaveLength(2);
    for (const refused of answers.filter((answer) => answer.status !== 201)) {
      expectError(refused, 403, 'QUOTA_EXCEEDED');
    }
    const full = await createGroup(alice, others);
    expectValidationError(full, ['participants']);
    const listed = (await api.listConversations(alice)).conversations as Json[];
    expect(listed.find((item) => item.conversationId === conversationId).participants).toHaveLength(
      limits.maxGroupParticipants,
    );
  }, 120_000);

  it('resolves an add racing the adder’s leave: either both happened or the add was refused', async () => {
    for (let round = 0; round < 3; round++) {
      const { alice, bob, conversationId } = await aGroup();
      const [dave] = await registered(1);
      const [added, left] = await Promise.all([
        addParticipant(alice, conversationId, dave),
        leaveGroup(alice, conversationId),
      ]);
      expect(left.status).toBe(204);
      if (added.status !== 201) expectError(added, 404, 'CONVERSATION_NOT_FOUND');
      const participants = (await api.listConversations(bob)).conversations[0].participants as string[];
      expect(participants).not.toContain(alice.username);
      expect(participants.includes(dave as string)).toBe(added.status === 201);
    }
  });
});

describe('DELETE /conversations/{id}/participants/me', () => {
  it('leaves: the others and the leaver’s sockets get participant_left, and the group is gone for them', async () => {
    const { alice, bob, carol, conversationId } = await aGroup();
    const [aliceSocket, bobSocket, carolSocket] = await connectEach(alice, bob, carol);
    const before = await api.call('POST', path(conversationId, '/messages'), {
      token: bob.token,
      body: { text: 'before' },
    });

    expect((await leaveGroup(carol, conversationId)).status).toBe(204);

    const frame = { type: 'participant_left', conversationId, username: carol.username };
    for (const socket of [aliceSocket, bobSocket, carolSocket]) {
      expect(await socket.next(participantFrame('participant_left', conversationId, carol.username))).toEqual(
        frame,
      );
    }
    expectError(await leaveGroup(carol, conversationId), 404, 'CONVERSATION_NOT_FOUND');
    const read = api.call('GET', path(conversationId, '/messages'), { token: carol.token });
    expectError(await read, 404, 'CONVERSATION_NOT_FOUND');
    const send = api.call('POST', path(conversationId, '/messages'), {
      token: carol.token,
      body: { text: 'x' },
    });
    expectError(await send, 404, 'CONVERSATION_NOT_FOUND');
    const marker = { token: carol.token, body: { messageId: before.body.message.messageId } };
    expectError(await api.call('POST', path(conversationId, '/read'), marker), 404, 'CONVERSATION_NOT_FOUND');
    const refused = await ask(carolSocket, { action: 'message', conversationId, text: 'x' }, 'ack');
    expect(refused).toMatchObject({ type: 'error', code: 'CONVERSATION_NOT_FOUND' });
    expect((await api.listConversations(carol)).conversations).toEqual([]);

    const ack = await ask(aliceSocket, { action: 'message', conversationId, text: 'without carol' }, 'ack');
    await bobSocket.next(messageWithId(ack.messageId));
    await pingPong(carolSocket);
    expect(count(carolSocket, messageWithId(ack.messageId))).toBe(0);
  });

  it('answers 409 NOT_A_GROUP for a direct conversation and 404 for a stranger', async () => {
    const { conversationId } = await aGroup();
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const direct = await api.openConversation(alice, bob.username);
    expectError(await leaveGroup(alice, direct.conversationId), 409, 'NOT_A_GROUP');
    expectError(await leaveGroup(alice, conversationId), 404, 'CONVERSATION_NOT_FOUND');
  });
});

describe('PATCH /conversations/{id}', () => {
  it('renames a group for every participant; refuses strangers, direct conversations and bad titles', async () => {
    const { alice, bob, carol, conversationId } = await aGroup();
    const [dave] = await api.signUpEach('dave');
    const direct = await api.openConversation(alice, bob.username);
    const rename = (user: Pick<User, 'token'>, id: string, title: unknown) =>
      api.call('PATCH', path(id), { token: user.token, body: { title } });

    const renamed = await rename(carol, conversationId, 'Ski trip 🎿');

    expect(renamed.status).toBe(200);
    expect(renamed.body.conversation).toMatchObject({ conversationId, kind: 'group', title: 'Ski trip 🎿' });
    const listed = (await api.listConversations(alice)).conversations as Json[];
    expect(listed.find((item) => item.conversationId === conversationId).title).toBe('Ski trip 🎿');
    expectError(await rename(dave, conversationId, 'Mine'), 404, 'CONVERSATION_NOT_FOUND');
    expectError(await rename(alice, direct.conversationId, 'Us'), 409, 'NOT_A_GROUP');
    expectValidationError(await rename(alice, conversationId, ''), ['title']);
    expectValidationError(await rename(alice, conversationId, 'a\u202eb'), ['title']);
    expectValidationError(await rename(alice, conversationId, 7), ['title']);
  });
});

describe('DELETE /auth/me of a participant', () => {
  it('leaves every group (participant_left, a place freed) and keeps direct conversations', async () => {
    const [alice, dave] = (await api.signUpEach('alice', 'dave')) as [User, User];
    const others = await registered(limits.maxGroupParticipants);
    // A full group (alice, dave and 98 others), a small one, and a direct conversation with alice.
    const full = await createGroup(alice, [
      dave.username,
      ...others.slice(0, limits.maxGroupParticipants - 2),
    ]);
    const small = await createGroup(dave, [alice.username, others[0]], 'Small');
    const direct = await api.call('POST', '/conversations', {
      token: dave.token,
      body: { peer: alice.username },
    });
    expect([full.status, small.status, direct.status]).toEqual([201, 201, 201]);
    const fullId = full.body.conversation.conversationId as string;
    const smallId = small.body.conversation.conversationId as string;
    const [aliceSocket] = await connectEach(alice);

    const deleted = await api.call('DELETE', '/auth/me', {
      token: dave.token,
      body: { password: dave.password },
    });
    expect(deleted.status).toBe(204);

    for (const conversationId of [fullId, smallId]) {
      expect(
        await aliceSocket.next(participantFrame('participant_left', conversationId, dave.username)),
      ).toEqual({
        type: 'participant_left',
        conversationId,
        username: dave.username,
      });
    }
    const listed = new Map(
      ((await api.listConversations(alice)).conversations as Json[]).map((item) => [
        item.conversationId,
        item,
      ]),
    );
    expect(listed.get(fullId).participants).toHaveLength(limits.maxGroupParticipants - 1);
    expect(listed.get(fullId).participants).not.toContain(dave.username);
    expect(listed.get(smallId).participants).toEqual([alice.username, others[0]].sort(byName));
    expect(listed.get(direct.body.conversation.conversationId).participants).toContain(dave.username);
    // The count went down by exactly one: one more may join the full group, and then no one.
    const spare = others.slice(limits.maxGroupParticipants - 2);
    expect((await addParticipant(alice, fullId, spare[0])).status).toBe(201);
    expectError(await addParticipant(alice, fullId, spare[1]), 403, 'QUOTA_EXCEEDED');
  }, 120_000);
});
