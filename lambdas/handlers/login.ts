import { createDocumentClient } from '../data/client.ts';
import { UserRepository } from '../data/users.ts';
import { login } from '../domain/accounts.ts';
import { bcryptCost, tableName, tokenTtlSeconds } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';
import { signingKeyFromEnvironment } from '../shared/tokens.ts';

const deps = {
  users: new UserRepository(createDocumentClient(), tableName()),
  bcryptCost: bcryptCost(),
  signingKey: signingKeyFromEnvironment(),
  tokenTtlSeconds: tokenTtlSeconds(),
};

export const handler = httpHandler('login', {
  'POST /auth/login': async ({ body }) => ({ status: 200, body: await login(deps, body) }),
});
