/**
 * Forged, expired and malformed tokens on both APIs: `GET /auth/me` over HTTP and the WebSocket handshake
 * (token in the query string and in the Authorization header). Every one is refused with 401, and a refused
 * handshake records no connection. Tokens are built by hand so that each differs from a valid one in exactly
 * one way; the control case proves the builder itself makes tokens the server accepts.
 */
import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { keyIdOf, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../lambdas/shared/tokens.ts';
import { sessionIdOf } from '../support/accounts.ts';
import { expectContractError } from '../support/contract.ts';
import { apiClient } from '../support/http-client.ts';
import { startTestStack } from '../support/local-stack.ts';
import { TEST_JWT_SECRET, tableReader } from '../support/table.ts';
import { TestSocket } from '../support/ws-client.ts';

const stack = await startTestStack();
const api = apiClient(stack.httpUrl);
const reader = tableReader(stack.dynamoEndpoint);
afterAll(async () => {
  reader.destroy();
  await stack.stop();
});

const user = await api.signUp('tokens');
const now = Math.floor(Date.now() / 1000);

const base64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

type Signer = (input: string) => string;
const hmac =
  (algorithm: 'sha256' | 'sha512', key: string | Buffer): Signer =>
  (input) =>
    createHmac(algorithm, key).update(input).digest('base64url');

/** A JWT from any header and payload (objects, or raw text for malformed parts), signed by `sign`. */
function token(header: unknown, payload: unknown, sign: Signer = hmac('sha256', TEST_JWT_SECRET)): string {
  const input = `${base64url(header)}.${base64url(payload)}`;
  return `${input}.${sign(input)}`;
}

const HS256 = { alg: 'HS256', typ: 'JWT', kid: keyIdOf(TEST_JWT_SECRET) };
/** The claims of a token of the user's real session (the one its login started). */
const sid = sessionIdOf(user.token);
const claims = {
  sub: user.userId,
  username: user.username,
  sid,
  iss: TOKEN_ISSUER,
  aud: TOKEN_AUDIENCE,
  iat: now,
  exp: now + 600,
};
const { sid: _sid, ...withoutSid } = claims;
const { kid: _kid, ...withoutKid } = HS256;
const { sub: _sub, ...withoutSub } = claims;
const { username: _username, ...withoutUsername } = claims;
const { exp: _exp, ...withoutExp } = claims;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeyPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const rs256: Signer = (input) =>
  createSign('RSA-SHA256').update(input).sign(rsa.privateKey).toString('base64url');

const valid = token(HS256, claims);
const [validHeader, validPayload, validSignature] = valid.split('.') as [string, string, string];

const refused: [string, string][] = [
  ['alg none without a signature', `${base64url({ alg: 'none', typ: 'JWT' })}.${validPayload}.`],
  ['alg "None" without a signature', `${base64url({ alg: 'None', typ: 'JWT' })}.${validPayload}.`],
  [
    'alg none carrying the valid signature',
    `${base64url({ alg: 'none' })}.${validPayload}.${validSignature}`,
  ],
  [
    'HS256 signed with another key',
    token(HS256, claims, hmac('sha256', 'another-key-that-is-long-enough-for-hs256')),
  ],
  [
    'HS256 signed with an RSA public key PEM as the secret',
    token(HS256, claims, hmac('sha256', publicKeyPem)),
  ],
  ['RS256 signed with a generated RSA key', token({ alg: 'RS256', typ: 'JWT' }, claims, rs256)],
  [
    'header RS256 but signed HS256 with the right key',
    token({ alg: 'RS256', typ: 'JWT' }, claims, hmac('sha256', TEST_JWT_SECRET)),
  ],
  [
    'HS512 with the right key (only HS256 is accepted)',
    token({ alg: 'HS512' }, claims, hmac('sha512', TEST_JWT_SECRET)),
  ],
  ['expired', token(HS256, { ...claims, iat: now - 1200, exp: now - 60 })],
  ['nbf in the future', token(HS256, { ...claims, nbf: now + 300 })],
  ['no sub', token(HS256, withoutSub)],
  ['no sid', token(HS256, withoutSid)],
  ['sid of no session', token(HS256, { ...claims, sid: 'AAAAAAAAAAAAAAAAAAAAAA' })],
  ['sub of another user in a live session', token(HS256, { ...claims, sub: 'someone-else' })],
  ['another issuer', token(HS256, { ...claims, iss: 'someone-else' })],
  ['another audience', token(HS256, { ...claims, aud: 'another-api' })],
  ['an unknown kid', token({ ...HS256, kid: 'old-key' }, claims)],
  ['no kid', token(withoutKid, claims)],
  ['numeric sub', token(HS256, { ...claims, sub: 12345 })],
  ['no username', token(HS256, withoutUsername)],
  ['numeric username', token(HS256, { ...claims, username: 42 })],
  ['username an object', token(HS256, { ...claims, username: { $ne: null } })],
  ['no exp', token(HS256, withoutExp)],
  ['exp a string', token(HS256, { ...claims, exp: String(now + 600) })],
  ['payload a JSON array', token(HS256, [claims])],
  ['header not base64', `!!!!.${validPayload}.${validSignature}`],
  ['header not JSON', token('not json at all', claims)],
  ['header a JSON array', token([HS256], claims)],
  ['header without alg', token({ typ: 'JWT' }, claims)],
  ['payload not JSON', token(HS256, '{"sub":')],
  [
    'payload changed, signature kept',
    `${validHeader}.${base64url({ ...claims, username: 'someone-else' })}.${validSignature}`,
  ],
  [
    'signature of another token',
    `${validHeader}.${validPayload}.${token(HS256, { ...claims, iat: now - 1 }).split('.')[2]}`,
  ],
  ['a fourth segment', `${valid}.extra`],
  ['two segments', `${validHeader}.${validPayload}`],
  ['garbage', 'not-a-token'],
];

/** Connection items in the table: what a handshake records. */
async function recordedConnections(): Promise<number> {
  const output = await reader.send(
    new ScanCommand({
      TableName: stack.tableName,
      FilterExpression: 'begins_with(PK, :prefix)',
      ExpressionAttributeValues: { ':prefix': 'CONN#' },
      ConsistentRead: true,
    }),
  );
  return output.Items?.length ?? 0;
}

describe('tokens refused on both APIs', () => {
  it.each(refused)('%s: 401 on GET /auth/me and at the handshake, no connection recorded', async (_, bad) => {
    // The handshakes' assertions are attached at once: a refusal arriving before them is not unhandled.
    const inQuery = expect(TestSocket.open(stack.wsUrl, { token: bad })).rejects.toMatchObject({
      status: 401,
    });
    const inHeader = expect(
      TestSocket.open(stack.wsUrl, { headers: { Authorization: `Bearer ${bad}` } }),
    ).rejects.toMatchObject({ status: 401 });
    const me = await api.call('GET', '/auth/me', { token: bad });

    expect(me.status).toBe(401);
    expectContractError(me);
    expect(me.body.code).toBe('UNAUTHORIZED');
    await inQuery;
    await inHeader;
    expect(await recordedConnections()).toBe(0);
  });
});

describe('the control', () => {
  it('accepts the hand-built token with the right key and claims on both APIs', async () => {
    const me = await api.call('GET', '/auth/me', { token: valid });
    expect(me.status).toBe(200);
    expect(me.body.user.userId).toBe(user.userId);

    const socket = await TestSocket.open(stack.wsUrl, { token: valid });
    expect(await socket.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
    expect(await recordedConnections()).toBe(1);
    await socket.close();
  });
});
