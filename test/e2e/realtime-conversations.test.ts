import { afterAll, describe, expect, it } from 'vitest';
import { aMessage, errorFrame, ISO_TIME } from '../support/contract.ts';
import type { Json } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { count, messageWithId, realtimeHarness, type User } from '../support/realtime.ts';
import { eventually } from '../support/ws-client.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
const { api, connect, connectEach, ask, pingPong, messageBarrier } = realtimeHarness(stack);

/** 10 concurrent `POST /conversations` for one pair, alternating who opens it. */
function openConcurrently(alice: User, bob: User) {
  return Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0
        ? api.requestConversation(alice, bob.username)
        : api.requestConversation(bob, alice.username),
    ),
  );
}

/** Alice and bob, two devices each, in one conversation; carol connected, in none of theirs. */
async function twoByTwo() {
  const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
  const conversation = await api.openConversation(alice, bob.username);
  const [alicePhone, aliceLaptop, bobPhone, bobLaptop, carolSocket] = await connectEach(
    alice,
    alice,
    bob,
    bob,
    carol,
  );
  return {
    alice,
    bob,
    carol,
    conversationId: conversation.conversationId as string,
    alicePhone,
    aliceLaptop,
    bobPhone,
    bobLaptop,
    carolSocket,
  };
}

describe('POST /conversations', () => {
  it('creates the conversation with 201, then returns the same one with 200 from either side', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');

    const created = await api.requestConversation(alice, bob.username);
    const again = await api.requestConversation(alice, bob.username);
    const reverse = await api.requestConversation(bob, alice.username);
    const otherCase = await api.requestConversation(bob, alice.username.toUpperCase());

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      conversation: {
        conversationId: expect.any(String),
        kind: 'direct',
        participants: [alice.username, bob.username].sort(),
        createdAt: expect.stringMatching(ISO_TIME),
        lastMessage: null,
      },
    });
    for (const response of [again, reverse, otherCase]) {
      expect(response.status).toBe(200);
      expect(response.body).toEqual(created.body);
    }
  });

  it('yields one conversationId, created once, for 10 concurrent opens of one pair from both sides', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');

    const responses = await openConcurrently(alice, bob);

    expect(responses.map((response) => response.status).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
    ]);
    expect(new Set(responses.map((response) => response.body.conversation.conversationId)).size).toBe(1);
    expect((await api.listConversations(alice)).conversations).toHaveLength(1);
    expect((await api.listConversations(bob)).conversations).toHaveLength(1);
  });

  it('gives every racing caller, and both participants, the same conversation, createdAt included', async () => {
    // The race is narrow: several pairs make it show.
    const pairs = await Promise.all(
      Array.from({ length: 8 }, async () => [await api.signUp('alice'), await api.signUp('bob')] as const),
    );

    const views: Json[][] = [];
    for (const [alice, bob] of pairs) {
      const responses = await openConcurrently(alice, bob);
      const [alicesView] = (await api.listConversations(alice)).conversations;
      const [bobsView] = (await api.listConversations(bob)).conversations;
      views.push([...responses.map((response) => response.body.conversation), alicesView, bobsView]);
    }

    // Each pair's 10 answers and 2 list entries, as distinct conversations: one each when all agree.
    const distinct = views.map((pairViews) => [
      ...new Set(
        pairViews.map(({ conversationId, participants, createdAt, lastMessage }) =>
          JSON.stringify({ conversationId, participants, createdAt, lastMessage }),
        ),
      ),
    ]);
    expect(distinct.filter((conversations) => conversations.length > 1)).toEqual([]);
  });

  it('answers 404 USER_NOT_FOUND for a peer that does not exist', async () => {
    const alice = await api.signUp('alice');

    const response = await api.requestConversation(alice, 'nobody_here');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ code: 'USER_NOT_FOUND', message: expect.any(String) });
  });

  it('answers 400 when the peer is the caller, in any case', async () => {
    const alice = await api.signUp('alice');

    const same = await api.requestConversation(alice, alice.username);
    const upper = await api.requestConversation(alice, alice.username.toUpperCase());

    expect(same.status).toBe(400);
    expect(upper.status).toBe(400);
  });
});

describe('direct message over the socket', () => {
  it('acknowledges the sender and delivers to every connection of both participants but the sending one', async () => {
    const { alice, conversationId, alicePhone, aliceLaptop, bobPhone, bobLaptop } = await twoByTwo();

    const ack = await ask(
      alicePhone,
      { action: 'message', conversationId, text: 'psst', clientMessageId: 'dm-1' },
      'ack',
    );
    const delivered = await Promise.all(
      [aliceLaptop, bobPhone, bobLaptop].map((socket) => socket.next(messageWithId(ack.messageId))),
    );

    expect(ack).toEqual({
      type: 'ack',
      messageId: expect.any(String),
      sentAt: expect.stringMatching(ISO_TIME),
      clientMessageId: 'dm-1',
    });
    for (const frame of delivered) {
      expect(frame).toEqual({
        type: 'message',
        messageId: ack.messageId,
        conversationId,
        from: alice.username,
        text: 'psst',
        sentAt: ack.sentAt,
        clientMessageId: 'dm-1',
      });
    }
  });

  it('does not deliver to the sending connection, nor to anyone outside the conversation', async () => {
    const { conversationId, alicePhone, aliceLaptop, bobPhone, bobLaptop, carolSocket } = await twoByTwo();

    const ack = await ask(alicePhone, { action: 'message', conversationId, text: 'just us' }, 'ack');
    await messageBarrier(bobPhone, { conversationId }, [alicePhone, aliceLaptop, bobLaptop]);
    await pingPong(carolSocket);

    expect(count(alicePhone, messageWithId(ack.messageId))).toBe(0);
    for (const socket of [aliceLaptop, bobPhone, bobLaptop]) {
      expect(count(socket, messageWithId(ack.messageId))).toBe(1);
    }
    expect(carolSocket.ofType('message')).toEqual([]);
  });

  it('keeps the message in the history both participants read', async () => {
    const { alice, bob, conversationId, bobPhone } = await twoByTwo();

    const ack = await ask(bobPhone, { action: 'message', conversationId, text: 'for the record' }, 'ack');
    const [seenByAlice, seenByBob] = await Promise.all([
      api.conversationHistory(conversationId, alice),
      api.conversationHistory(conversationId, bob),
    ]);

    const expected = [
      {
        messageId: ack.messageId,
        conversationId,
        from: bob.username,
        text: 'for the record',
        sentAt: ack.sentAt,
      },
    ];
    expect(seenByAlice).toEqual(expected);
    expect(seenByBob).toEqual(expected);
  });
});

describe('a direct message posted over HTTP', () => {
  it("is answered 201 and pushed to every connection of both participants, the poster's own included", async () => {
    const { alice, conversationId, alicePhone, aliceLaptop, bobPhone, bobLaptop, carolSocket } =
      await twoByTwo();

    const posted = await api.call('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { text: 'from the web' },
    });
    const pushed = await Promise.all(
      [alicePhone, aliceLaptop, bobPhone, bobLaptop].map((socket) =>
        socket.next(messageWithId(posted.body.message.messageId)),
      ),
    );
    await pingPong(carolSocket);

    expect(posted.status).toBe(201);
    expect(posted.body).toEqual({
      message: aMessage({ conversationId, from: alice.username, text: 'from the web' }),
    });
    for (const frame of pushed) expect(frame).toEqual({ type: 'message', ...posted.body.message });
    expect(carolSocket.ofType('message')).toEqual([]);
  });
});

describe('GET /conversations', () => {
  it("lists the caller's conversations with peer and lastMessage, most recent activity first", async () => {
    const [alice, bob, carol] = await api.signUpEach('alice', 'bob', 'carol');
    const withBob = await api.openConversation(alice, bob.username);
    const withCarol = await api.openConversation(carol, alice.username);
    const [alicePhone, carolSocket] = await connectEach(alice, carol);

    const toBob = await api.call('POST', `/conversations/${withBob.conversationId}/messages`, {
      token: alice.token,
      body: { text: 'hi bob' },
    });
    const toCarol = await ask(
      alicePhone,
      { action: 'message', conversationId: withCarol.conversationId, text: 'hi carol' },
      'ack',
    );
    // Delivery comes after every write of the send (the ack does not: see the next test).
    await carolSocket.next(messageWithId(toCarol.messageId));
    const carolFirst = await api.listConversations(alice);
    const fromBob = await api.call('POST', `/conversations/${withBob.conversationId}/messages`, {
      token: bob.token,
      body: { text: 'hi alice' },
    });
    const bobFirst = await api.listConversations(alice);
    const bobsList = await api.listConversations(bob);

    expect(toBob.status).toBe(201);
    const lastToCarol = {
      messageId: toCarol.messageId,
      conversationId: withCarol.conversationId,
      from: alice.username,
      text: 'hi carol',
      sentAt: toCarol.sentAt,
    };
    // Nothing marked read yet: a conversation whose last message is the caller's own has nothing unread.
    const read = (unreadCount: number) => ({ unreadCount, lastReadMessageId: null });
    expect(carolFirst).toEqual({
      conversations: [
        { ...withCarol, peer: carol.username, lastMessage: lastToCarol, ...read(0) },
        { ...withBob, peer: bob.username, lastMessage: toBob.body.message, ...read(0) },
      ],
      nextCursor: null,
    });
    expect(bobFirst).toEqual({
      conversations: [
        { ...withBob, peer: bob.username, lastMessage: fromBob.body.message, ...read(1) },
        { ...withCarol, peer: carol.username, lastMessage: lastToCarol, ...read(0) },
      ],
      nextCursor: null,
    });
    expect(bobsList).toEqual({
      conversations: [{ ...withBob, peer: alice.username, lastMessage: fromBob.body.message, ...read(0) }],
      nextCursor: null,
    });
  });

  it('shows a message sent over the socket as lastMessage as soon as it is acknowledged', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const { conversationId } = await api.openConversation(alice, bob.username);
    const alicePhone = await connect(alice);

    // The window between the ack and the list's update is narrow: several sends make it show.
    const stale: { acknowledged: string; listed: string | undefined }[] = [];
    for (let i = 0; i < 20; i++) {
      const ack = await ask(alicePhone, { action: 'message', conversationId, text: `note ${i}` }, 'ack');
      const [listed] = (await api.listConversations(alice)).conversations;
      if (listed?.lastMessage?.messageId !== ack.messageId) {
        stale.push({ acknowledged: ack.messageId, listed: listed?.lastMessage?.messageId });
      }
    }

    expect(stale).toEqual([]);
  });

  it('lists a conversation without messages with lastMessage null', async () => {
    const [alice, bob] = await api.signUpEach('alice', 'bob');
    const conversation = await api.openConversation(bob, alice.username);

    const list = await api.listConversations(alice);

    expect(list).toEqual({
      conversations: [
        { ...conversation, peer: bob.username, lastMessage: null, unreadCount: 0, lastReadMessageId: null },
      ],
      nextCursor: null,
    });
  });
});

describe('a stranger to a conversation', () => {
  it('is answered CONVERSATION_NOT_FOUND on every route and action, and changes nothing', async () => {
    const { alice, carol, conversationId, alicePhone, aliceLaptop, bobPhone, bobLaptop, carolSocket } =
      await twoByTwo();

    const read = await api.call('GET', `/conversations/${conversationId}/messages`, { token: carol.token });
    const post = await api.call('POST', `/conversations/${conversationId}/messages`, {
      token: carol.token,
      body: { text: 'let me in' },
    });
    const socketReply = await ask(
      carolSocket,
      { action: 'message', conversationId, text: 'let me in', clientMessageId: 'sneak-1' },
      'ack',
    );
    const carolsList = await api.listConversations(carol);
    await messageBarrier(alicePhone, { conversationId }, [aliceLaptop, bobPhone, bobLaptop]);

    expect(read.status).toBe(404);
    expect(read.body).toEqual({ code: 'CONVERSATION_NOT_FOUND', message: expect.any(String) });
    expect(post.status).toBe(404);
    expect(post.body).toEqual({ code: 'CONVERSATION_NOT_FOUND', message: expect.any(String) });
    expect(socketReply).toEqual(
      errorFrame('CONVERSATION_NOT_FOUND', 'message', { clientMessageId: 'sneak-1' }),
    );
    expect(carolSocket.closeCode).toBeUndefined();
    expect(carolsList.conversations.map((c: Json) => c.conversationId)).not.toContain(conversationId);
    expect((await api.conversationHistory(conversationId, alice)).map((message) => message.text)).toEqual([
      'barrier',
    ]);
    for (const socket of [aliceLaptop, bobPhone, bobLaptop]) {
      expect(socket.ofType('message').map((frame) => frame.text)).toEqual(['barrier']);
    }
  });

  it.each([
    ['a word', 'nope'],
    ['a short c_ id', 'c_short'],
    ['a well-formed id of no conversation', 'c_AAAAAAAAAAAAAAAAAAAAAA'],
    ['an id with encoded "#"', 'c_%23%23AAAAAAAAAAAAAAAAAAAA'],
    ['a key-like id', 'USER%23alice'],
    ['a 300-character id', `c_${'A'.repeat(298)}`],
  ])('is what anyone gets for %s: 404 CONVERSATION_NOT_FOUND on both routes', async (_, id) => {
    const alice = await api.signUp('alice');

    const read = await api.call('GET', `/conversations/${id}/messages`, { token: alice.token });
    const post = await api.call('POST', `/conversations/${id}/messages`, {
      token: alice.token,
      body: { text: 'hello?' },
    });

    expect(read.status).toBe(404);
    expect(read.body).toEqual({ code: 'CONVERSATION_NOT_FOUND', message: expect.any(String) });
    expect(post.status).toBe(404);
    expect(post.body).toEqual({ code: 'CONVERSATION_NOT_FOUND', message: expect.any(String) });
  });

  it.each([
    ['a word', 'nope'],
    ['a well-formed id of no conversation', 'c_AAAAAAAAAAAAAAAAAAAAAA'],
    ['an id with "#"', 'c_##AAAAAAAAAAAAAAAAAAAA'],
  ])('is what a socket gets for %s: a CONVERSATION_NOT_FOUND error frame', async (_, conversationId) => {
    const alice = await api.signUp('alice');
    const socket = await connect(alice);

    const reply = await ask(socket, { action: 'message', conversationId, text: 'hello?' }, 'ack');
    await pingPong(socket);

    expect(reply).toEqual(errorFrame('CONVERSATION_NOT_FOUND', 'message'));
  });
});

describe('clientMessageId retries in a conversation', () => {
  it('acknowledges a repeat over the socket with the first message, delivered and stored once', async () => {
    const { bob, conversationId, alicePhone, aliceLaptop, bobPhone, bobLaptop } = await twoByTwo();
    const frame = { action: 'message', conversationId, text: 'only once', clientMessageId: 'dm-retry-1' };

    const first = await ask(alicePhone, frame, 'ack');
    await bobPhone.next(messageWithId(first.messageId));
    const second = await ask(alicePhone, frame, 'ack');
    await messageBarrier(alicePhone, { conversationId }, [aliceLaptop, bobPhone, bobLaptop]);

    expect(second).toEqual(first);
    for (const socket of [aliceLaptop, bobPhone, bobLaptop]) {
      expect(count(socket, messageWithId(first.messageId))).toBe(1);
    }
    expect(
      (await api.conversationHistory(conversationId, bob)).filter((m) => m.clientMessageId === 'dm-retry-1'),
    ).toHaveLength(1);
  });

  it('stores and delivers one message when the same clientMessageId is sent 5 times at once over the socket', async () => {
    const { bob, conversationId, alicePhone, aliceLaptop, bobPhone } = await twoByTwo();
    const frame = { action: 'message', conversationId, text: 'impatient', clientMessageId: 'dm-burst-1' };

    for (let i = 0; i < 5; i++) alicePhone.send(frame);
    const answered = () =>
      alicePhone.frames.filter((reply) => reply.type === 'ack' || reply.type === 'error');
    await eventually(() => answered().length === 5);
    const answers = answered();
    await messageBarrier(alicePhone, { conversationId }, [aliceLaptop, bobPhone]);

    expect(answers.map((answer) => answer.type)).toEqual(['ack', 'ack', 'ack', 'ack', 'ack']);
    expect(new Set(answers.map((answer) => answer.messageId)).size).toBe(1);
    expect(count(bobPhone, (f) => f.type === 'message' && f.clientMessageId === 'dm-burst-1')).toBe(1);
    expect(
      (await api.conversationHistory(conversationId, bob)).filter((m) => m.clientMessageId === 'dm-burst-1'),
    ).toHaveLength(1);
  });

  it('answers a repeat over HTTP with 200 and the first message, stored and pushed once', async () => {
    const { alice, bob, conversationId, alicePhone, bobPhone } = await twoByTwo();
    const body = { text: 'posted twice', clientMessageId: 'dm-http-1' };

    const first = await api.call('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body,
    });
    await bobPhone.next(messageWithId(first.body.message.messageId));
    const second = await api.call('POST', `/conversations/${conversationId}/messages`, {
      token: alice.token,
      body,
    });
    await messageBarrier(alicePhone, { conversationId }, [bobPhone]);

    expect(first.status).toBe(201);
    expect(first.body.message).toMatchObject({ clientMessageId: 'dm-http-1', text: 'posted twice' });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(count(bobPhone, messageWithId(first.body.message.messageId))).toBe(1);
    expect(
      (await api.conversationHistory(conversationId, bob)).filter((m) => m.clientMessageId === 'dm-http-1'),
    ).toHaveLength(1);
  });

  it('answers 5 concurrent HTTP posts of one clientMessageId with one 201 and four 200 of one message', async () => {
    const { alice, bob, conversationId, alicePhone, bobPhone } = await twoByTwo();
    const body = { text: 'posted at once', clientMessageId: 'dm-http-burst' };

    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.call('POST', `/conversations/${conversationId}/messages`, { token: alice.token, body }),
      ),
    );
    await messageBarrier(alicePhone, { conversationId }, [bobPhone]);

    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(responses.map((response) => JSON.stringify(response.body))).size).toBe(1);
    expect(count(bobPhone, (f) => f.type === 'message' && f.clientMessageId === 'dm-http-burst')).toBe(1);
    expect(
      (await api.conversationHistory(conversationId, bob)).filter(
        (m) => m.clientMessageId === 'dm-http-burst',
      ),
    ).toHaveLength(1);
  });

  it('keeps the same clientMessageId of the two participants apart', async () => {
    const { alice, bob, conversationId, alicePhone, bobPhone } = await twoByTwo();
    const frame = { action: 'message', conversationId, text: 'same id', clientMessageId: 'both-1' };

    const fromAlice = await ask(alicePhone, frame, 'ack');
    const fromBob = await ask(bobPhone, frame, 'ack');
    await alicePhone.next(messageWithId(fromBob.messageId));

    expect(fromBob.messageId).not.toBe(fromAlice.messageId);
    expect((await api.conversationHistory(conversationId, alice)).map((message) => message.from)).toEqual([
      alice.username,
      bob.username,
    ]);
  });
});

describe('conversations', () => {
  it("never carry a user's email: conversation objects, lists, messages or frames", async () => {
    const { alice, bob, conversationId, alicePhone, bobPhone } = await twoByTwo();
    const opened = await api.requestConversation(bob, alice.username);
    await ask(alicePhone, { action: 'message', conversationId, text: 'hi' }, 'ack');
    const posted = await api.call('POST', `/conversations/${conversationId}/messages`, {
      token: bob.token,
      body: { text: 'hey' },
    });
    await alicePhone.next(messageWithId(posted.body.message.messageId));

    const seen = JSON.stringify([
      opened.body,
      posted.body,
      await api.listConversations(alice),
      await api.listConversations(bob),
      await api.conversationHistory(conversationId, alice),
      alicePhone.frames,
      bobPhone.frames,
    ]);

    expect(seen).not.toContain('@example.com');
    expect(seen).not.toContain('"email"');
  });
});
