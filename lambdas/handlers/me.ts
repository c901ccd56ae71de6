import { createDocumentClient } from '../data/client.ts';
import { UserRepository } from '../data/users.ts';
import { me } from '../domain/accounts.ts';
import { tableName } from '../shared/config.ts';
import { NotFoundError } from '../shared/errors.ts';
import { httpHandler, signedIn } from '../shared/http.ts';
import { signingKeyFromEnvironment } from '../shared/tokens.ts';

const deps = { users: new UserRepository(createDocumentClient(), tableName()) };

export const handler = httpHandler(
  {
    'GET /auth/me': async (request) => ({ status: 200, body: { user: await me(deps, signedIn(request)) } }),
    // The HTTP API's fallback for every unmatched method and path (see httpFallbackRoute in lib/routes.ts).
    $default: async () => {
      throw new NotFoundError('NOT_FOUND', 'There is no such route.');
    },
  },
  signingKeyFromEnvironment(),
);
