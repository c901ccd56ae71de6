import { createDocumentClient } from '../data/client.ts';
import { UserRepository } from '../data/users.ts';
import { me } from '../domain/accounts.ts';
import { tableName } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';
import { buildAuthenticator } from './session-deps.ts';

const deps = { users: new UserRepository(createDocumentClient(), tableName()) };

// `me` also serves the HTTP API's fallback route; the wrapper answers it with the contract's 404.
export const handler = httpHandler(
  'me',
  { 'GET /auth/me': async ({ identity }) => ({ status: 200, body: { user: await me(deps, identity) } }) },
  buildAuthenticator(),
);
