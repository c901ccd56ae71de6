import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { issueToken } from '../../lambdas/shared/tokens.ts';
import {
  ChatApi,
  type ChatSession,
  type LoginResult,
  type ReconnectOptions,
  type StateChange,
} from '../../lib/client/index.ts';
import { sessionIdOf } from '../support/accounts.ts';
import { startTestStack } from '../support/local-stack.ts';
import { TEST_JWT_SECRET } from '../support/table.ts';
import { expiredToken, newRoom, sessionPool, signUp } from './helpers.ts';

// The gateway closes every connection 1.5 s after it opened (API Gateway's 2-hour limit, shortened): the way
// to make the server drop a session without knowing its connection id.
const stack = await startTestStack({ maxConnectionMs: 1500 });
afterAll(() => stack.stop());

const sessions = sessionPool(stack);
afterEach(() => sessions.closeAll());

async function connect(
  auth: string | ChatApi,
  reconnect: ReconnectOptions = { initialDelayMs: 50, maxDelayMs: 200 },
): Promise<{ session: ChatSession; states: StateChange[] }> {
  const session = await sessions.connect(auth, { reconnect });
  const states: StateChange[] = [];
  session.on('state', (change) => states.push(change));
  return { session, states };
}

describe('ChatSession reconnect', () => {
  it('reconnects after the server drops it, re-joins its rooms and still receives messages', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const bob = await signUp(stack.httpUrl, 'bob');
    const room = await newRoom(alice.api, 'again');
    const { session, states } = await connect(alice.token);
    await session.join(room);

    const rejoined = session.waitFor('joined', (frame) => frame.room === room, 10_000);
    await session.waitFor('state', (change) => change.state === 'open' && change.reconnected, 10_000);
    await rejoined;
    expect(states.map((change) => change.state)).toEqual(['reconnecting', 'open']);
    expect(states[0]).toMatchObject({ attempt: 1, reason: { code: 'DISCONNECTED' } });
    expect([...session.rooms]).toEqual([room]);
    expect(session.members(room)).toEqual([alice.username]);

    const received = session.waitFor('message', (message) => message.text === 'still there?');
    await bob.api.postRoomMessage(room, 'still there?');
    await expect(received).resolves.toMatchObject({ room, from: bob.username });
  });

  it('holds a message sent while reconnecting and sends it once the room is re-joined', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const room = await newRoom(alice.api, 'queued');
    const { session } = await connect(alice.token);
    await session.join(room);

    await session.waitFor('state', (change) => change.state === 'reconnecting', 10_000);
    const ack = await session.sendToRoom(room, 'sent while away');

    const history = await alice.api.recentMessages({ room }, 10);
    expect(history).toEqual([expect.objectContaining({ messageId: ack.messageId, text: 'sent while away' })]);
  });

  it('drops a room that banned the user while the connection was down, rather than retrying forever', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const bob = await signUp(stack.httpUrl, 'bob');
    const [room, kept] = [await newRoom(alice.api, 'banning'), await newRoom(alice.api, 'kept')];
    // At least 2 s before reconnecting: the ban lands while bob is away, so no `removed` reaches him.
    const { session } = await connect(bob.token, { initialDelayMs: 4_000, maxDelayMs: 4_000 });
    await session.join(room);
    await session.join(kept);

    await session.waitFor('state', (change) => change.state === 'reconnecting', 10_000);
    await alice.api.ban(room, bob.username);
    await session.waitFor('state', (change) => change.state === 'open' && change.reconnected, 15_000);

    expect([...session.rooms]).toEqual([kept]);
  });

  it('does not retry when the handshake is refused with 401, and says why it closed', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    // Valid for one to two seconds: the first connection opens, a reconnect soon after is refused.
    const { token: shortLived } = issueToken(
      TEST_JWT_SECRET,
      { userId: alice.userId, username: alice.username, sessionId: sessionIdOf(alice.token) },
      2,
    );
    const { session, states } = await connect(shortLived);

    const closed = await session.waitFor('state', (change) => change.state === 'closed', 15_000);
    expect(closed).toMatchObject({ reason: { code: 'UNAUTHORIZED', status: 401 } });
    expect(session.state).toBe('closed');
    const attempts = states.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(states.length).toBe(attempts);
    await expect(session.ping()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('with a signed-in ChatApi, reconnects with a refreshed token once the old one is refused', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const room = await newRoom(alice.api, 'renewed');
    const rotations: LoginResult[] = [];
    // Valid for one to two seconds, like the 15 minutes of a real one: a reconnect after that is refused.
    const api = new ChatApi({
      baseUrl: stack.httpUrl,
      token: expiredToken(alice.login, -2),
      refreshToken: alice.login.refreshToken,
      onTokens: (login) => rotations.push(login),
    });
    const { session, states } = await connect(api);
    await session.join(room);

    await expect.poll(() => rotations.length, { timeout: 15_000 }).toBe(1);
    await session.waitFor('state', (change) => change.state === 'open' && change.reconnected, 10_000);
    expect(states.some((change) => change.state === 'closed')).toBe(false);
    expect(api.token).toBe(rotations[0]?.token);
    const received = session.waitFor('message', (message) => message.text === 'on the new token');
    await alice.api.postRoomMessage(room, 'on the new token');
    await expect(received).resolves.toMatchObject({ room });
  });

  it('with a signed-in ChatApi, refreshes before the first connection when its token has expired', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const api = new ChatApi({
      baseUrl: stack.httpUrl,
      token: expiredToken(alice.login),
      refreshToken: alice.login.refreshToken,
    });
    const { session } = await connect(api);
    expect(session.state).toBe('open');
    expect(api.token).not.toBe(expiredToken(alice.login));
    await expect(session.ping()).resolves.toMatchObject({ type: 'pong' });
  });
});
