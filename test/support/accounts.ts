/**
 * Users for tests: unique names, registration bodies, and signing up through any transport (the handlers
 * called directly, the HTTP API, or the typed client build on the same account).
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { httpEvent, type JsonResponse, readResponse } from './events.ts';

export const PASSWORD = 'correct horse battery';

const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A username nobody has taken: the prefix (letters keep their case) and 8 hex digits; keep it under 24. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomHex(4)}`;
}

/** A room name nobody has taken: lower case, as rooms are stored. */
export function uniqueRoomName(prefix = 'room'): string {
  return `${prefix.toLowerCase()}-${randomHex(4)}`;
}

export interface NewAccount {
  readonly username: string;
  readonly email: string;
  readonly password: string;
}

/**
 * A valid registration body with a unique username. The email has nothing of the username in it, so that a
 * test finding it in another user's response has found a leak, not a coincidence.
 */
export function newAccount(prefix = 'user'): NewAccount {
  return { username: uniqueName(prefix), email: `mail_${randomHex(6)}@example.com`, password: PASSWORD };
}

/** A registered, signed-in user. */
export interface User extends NewAccount {
  readonly userId: string;
  readonly token: string;
  /** The refresh token of the login's session. */
  readonly refreshToken: string;
}

/** The session id (`sid` claim) of an access token, read without verifying it. */
export function sessionIdOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  return payload.sid;
}

/** Sends one account route with a JSON body, by whatever transport, and returns status and parsed body. */
export type AccountRouteCall = (
  routeKey: 'POST /auth/register' | 'POST /auth/login',
  body: unknown,
) => Promise<JsonResponse>;

/** Registers a fresh account and logs it in through `call`; fails the test if either step is refused. */
export async function signUpWith(call: AccountRouteCall, prefix = 'user'): Promise<User> {
  const account = newAccount(prefix);
  const registered = await call('POST /auth/register', account);
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const loggedIn = await call('POST /auth/login', { username: account.username, password: account.password });
  expect(loggedIn.status, JSON.stringify(loggedIn.body)).toBe(200);
  return {
    ...account,
    userId: registered.body.user.userId,
    token: loggedIn.body.token,
    refreshToken: loggedIn.body.refreshToken,
  };
}

/**
 * Signs up by calling the register and login handlers directly, as API Gateway would (no gateway, no HTTP).
 * The handlers read their table at load time: call `useFreshTable` first.
 */
export async function signUpThroughHandlers(prefix = 'user'): Promise<User> {
  const handlers = {
    'POST /auth/register': (await import('../../lambdas/handlers/register.ts')).handler,
    'POST /auth/login': (await import('../../lambdas/handlers/login.ts')).handler,
  };
  return signUpWith(
    async (routeKey, body) => readResponse(await handlers[routeKey](httpEvent({ routeKey, body }))),
    prefix,
  );
}
