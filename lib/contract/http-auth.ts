import * as z from 'zod/mini';
import { cursor, email, givenPassword, pageLimit, password, username } from './fields.ts';
import { accountExport, loginResult, published, user, webSocketTicket } from './objects.ts';
import { type HttpRouteSpec, one } from './route-spec.ts';

const userResponse = published('UserResponse', one('user', user));

/** Login checks only types and sizes: the rules of registration would tell an attacker what cannot exist. */
const loginBody = z.object({
  username: z
    .string({ error: 'must be a string' })
    .check(z.minLength(1, { error: 'is required' }), z.maxLength(254, { error: 'is too long' })),
  password: givenPassword,
});

const signedIn = { schema: loginResult, description: 'Signed in: a new session.' };
const sessionEnded = { description: 'Done: no body.' };

/** The account and session routes of the contract (`/auth/…`), by API Gateway route key. */
export const authRoutes = {
  'POST /auth/register': {
    method: 'POST',
    path: '/auth/register',
    auth: false,
    operationId: 'register',
    tag: 'auth',
    summary: 'Create an account',
    description:
      'Usernames and email addresses are unique regardless of case; the case given is kept for display.',
    body: published('RegisterRequest', z.object({ username, email, password })),
    responses: { 201: { schema: userResponse, description: 'The account was created.' } },
    errors: ['ACCOUNT_EXISTS'],
  },
  'POST /auth/login': {
    method: 'POST',
    path: '/auth/login',
    auth: false,
    operationId: 'login',
    tag: 'auth',
    summary: 'Sign in and get an access token',
    description:
      'The username may be given in any case. An unknown user and a wrong password get the same answer. Repeated failures for one username, or from one address, lock further attempts out for a while (429 `TOO_MANY_ATTEMPTS`, even with the right password), alike for existing and unknown usernames.',
    body: published('LoginRequest', loginBody),
    responses: { 200: signedIn },
    errors: ['INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS'],
  },
  'POST /auth/refresh': {
    method: 'POST',
    path: '/auth/refresh',
    auth: false,
    operationId: 'refresh',
    tag: 'auth',
    summary: 'Exchange a refresh token for new tokens',
    description:
      'Refresh tokens are single use: the answer carries a new one. Presenting one that was already used ends its whole session.',
    body: published(
      'RefreshRequest',
      z.object({
        refreshToken: z
          .string({ error: 'must be a string' })
          .check(z.minLength(1, { error: 'is required' }), z.maxLength(256, { error: 'is too long' })),
      }),
    ),
    responses: { 200: { schema: loginResult, description: 'The same session, with new tokens.' } },
    errors: ['INVALID_REFRESH_TOKEN'],
  },
  'POST /auth/logout': {
    method: 'POST',
    path: '/auth/logout',
    auth: true,
    operationId: 'logout',
    tag: 'auth',
    summary: 'End this session',
    description: 'Its tokens are refused from now on, and its WebSocket connections are closed.',
    responses: { 204: sessionEnded },
    errors: [],
  },
  'POST /auth/logout-all': {
    method: 'POST',
    path: '/auth/logout-all',
    auth: true,
    operationId: 'logoutAll',
    tag: 'auth',
    summary: 'End every session of the user',
    responses: { 204: sessionEnded },
    errors: [],
  },
  'POST /auth/password': {
    method: 'POST',
    path: '/auth/password',
    auth: true,
    operationId: 'changePassword',
    tag: 'auth',
    summary: 'Change the password',
    description:
      'Every earlier session of the user, the caller’s included, ends; the answer signs in a new session.',
    body: published(
      'ChangePasswordRequest',
      z.object({ currentPassword: givenPassword, newPassword: password }),
    ),
    responses: { 200: signedIn },
    errors: ['INVALID_CREDENTIALS'],
  },
  'POST /auth/ws-ticket': {
    method: 'POST',
    path: '/auth/ws-ticket',
    auth: true,
    operationId: 'createWebSocketTicket',
    tag: 'auth',
    summary: 'A single-use ticket for the WebSocket handshake',
    description:
      'Open the WebSocket with `?ticket=` within `expiresIn` seconds; a ticket opens one connection. A user with as many connections open as they may gets `QUOTA_EXCEEDED` instead (the handshake would refuse with 429, which a browser cannot read).',
    responses: { 201: { schema: webSocketTicket, description: 'The ticket.' } },
    errors: ['QUOTA_EXCEEDED'],
  },
  'DELETE /auth/me': {
    method: 'DELETE',
    path: '/auth/me',
    auth: true,
    operationId: 'deleteAccount',
    tag: 'auth',
    summary: 'Delete the account',
    description:
      'The profile, the email claim and every session go, and the sockets close; the messages stay in history under the username, which is never free again. The email may register again.',
    body: published('DeleteAccountRequest', z.object({ password: givenPassword })),
    responses: { 204: { description: 'The account is deleted.' } },
    errors: ['INVALID_CREDENTIALS'],
  },
  'GET /auth/me': {
    method: 'GET',
    path: '/auth/me',
    auth: true,
    operationId: 'getMe',
    tag: 'auth',
    summary: 'The signed-in user',
    responses: { 200: { schema: userResponse, description: 'The account of the token.' } },
    errors: [],
  },
  'GET /auth/me/export': {
    method: 'GET',
    path: '/auth/me/export',
    auth: true,
    operationId: 'exportAccount',
    tag: 'auth',
    summary: 'Everything stored about the signed-in user, page by page',
    description:
      'The profile on every page; then, across the pages, the sessions, the rooms the user is a member of (with their role), their conversations and every message they sent. `limit` bounds the items of a page across all its arrays.',
    query: z.object({ limit: pageLimit, cursor: z.optional(cursor) }),
    responses: { 200: { schema: accountExport, description: 'A page of the export.' } },
    errors: [],
  },
} as const satisfies Record<string, HttpRouteSpec>;
