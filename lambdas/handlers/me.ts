import { createDocumentClient } from '../data/client.ts';
import { UserRepository } from '../data/users.ts';
import { me } from '../domain/accounts.ts';
import { tableName } from '../shared/config.ts';
import { httpHandler, signedIn } from '../shared/http.ts';
import { signingKeyFromEnvironment } from '../shared/tokens.ts';

const deps = { users: new UserRepository(createDocumentClient(), tableName()) };

export const handler = httpHandler(
  {
    'GET /auth/me': async (request) => ({ status: 200, body: { user: await me(deps, signedIn(request)) } }),
  },
  signingKeyFromEnvironment(),
);
