import jwt from 'jsonwebtoken';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../lambdas/data/client.ts';
import { ConnectionRepository } from '../../lambdas/data/connections.ts';
import { startTestStack } from '../support/local-stack.ts';
import { realtimeHarness } from '../support/realtime.ts';
import { TEST_JWT_SECRET } from '../support/table.ts';
import { TestSocket } from '../support/ws-client.ts';

const stack = await startTestStack();
afterAll(() => stack.stop());
// Read-only look at what $connect recorded: "no connection is recorded" has no other observable.
const connections = new ConnectionRepository(createDocumentClient(), stack.tableName);

const { api, open, roundTrip, newRoom } = realtimeHarness(stack);

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('WebSocket handshake', () => {
  it('refuses a connection without a token with HTTP 401', async () => {
    await expect(TestSocket.open(stack.wsUrl)).rejects.toMatchObject({ status: 401 });
  });

  describe('refuses with HTTP 401 and records no connection for', () => {
    const badTokens: [string, (user: { userId: string; username: string; token: string }) => string][] = [
      ['a token that is not a JWT', () => 'not-a-jwt'],
      [
        'an expired token',
        (user) =>
          jwt.sign({ username: user.username, exp: nowSeconds() - 60 }, TEST_JWT_SECRET, {
            algorithm: 'HS256',
            subject: user.userId,
          }),
      ],
      [
        'a token signed with another key',
        (user) =>
          jwt.sign({ username: user.username }, 'another-signing-key-that-is-long-enough-for-hs256', {
            algorithm: 'HS256',
            subject: user.userId,
            expiresIn: 600,
          }),
      ],
      [
        'an alg:none token',
        (user) =>
          `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
            sub: user.userId,
            username: user.username,
            iat: nowSeconds(),
            exp: nowSeconds() + 600,
          })}.`,
      ],
      [
        'a tampered token (payload changed, signature kept)',
        (user) => {
          const [header, , signature] = user.token.split('.');
          const payload = base64url({ sub: user.userId, username: 'admin', exp: nowSeconds() + 600 });
          return `${header}.${payload}.${signature}`;
        },
      ],
      [
        'a token without exp',
        (user) =>
          jwt.sign({ username: user.username }, TEST_JWT_SECRET, {
            algorithm: 'HS256',
            subject: user.userId,
          }),
      ],
    ];

    it.each(badTokens)('%s in ?token=', async (_, makeToken) => {
      const user = await api.signUp('badq');

      const refused = TestSocket.open(stack.wsUrl, { token: makeToken(user) });

      await expect(refused).rejects.toMatchObject({ status: 401 });
      expect(await connections.connectionIdsOf(user.username)).toEqual([]);
    });

    it.each(badTokens)('%s in the Authorization header', async (_, makeToken) => {
      const user = await api.signUp('badh');

      const refused = TestSocket.open(stack.wsUrl, {
        headers: { Authorization: `Bearer ${makeToken(user)}` },
      });

      await expect(refused).rejects.toMatchObject({ status: 401 });
      expect(await connections.connectionIdsOf(user.username)).toEqual([]);
    });
  });

  it('refuses an Authorization header that is not a bearer token with HTTP 401', async () => {
    const user = await api.signUp('basic');

    const refused = TestSocket.open(stack.wsUrl, {
      headers: { Authorization: `Basic ${Buffer.from(`${user.username}:pw`).toString('base64')}` },
    });

    await expect(refused).rejects.toMatchObject({ status: 401 });
  });

  it('accepts a valid token in ?token= and speaks for its user', async () => {
    const user = await api.signUp('query');
    const room = await newRoom(user, 'hs');

    const socket = await open({ token: user.token });
    const pong = await roundTrip(socket, { action: 'ping' }, (frame) => frame.type === 'pong');
    const joined = await roundTrip(socket, { action: 'join', room }, (frame) => frame.type !== 'pong');

    expect(pong).toEqual({ type: 'pong' });
    expect(joined).toEqual({ type: 'joined', room, username: user.username, members: [user.username] });
  });

  it('accepts a valid token in an Authorization: Bearer header and speaks for its user', async () => {
    const user = await api.signUp('header');
    const room = await newRoom(user, 'hs');

    const socket = await open({ headers: { Authorization: `Bearer ${user.token}` } });
    const joined = await roundTrip(socket, { action: 'join', room }, () => true);

    expect(joined).toEqual({ type: 'joined', room, username: user.username, members: [user.username] });
  });
});
