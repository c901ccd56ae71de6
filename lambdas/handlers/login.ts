import { createDocumentClient } from '../data/client.ts';
import { UserRepository } from '../data/users.ts';
import { login } from '../domain/accounts.ts';
import { bcryptCost, tableName, tokenTtlSeconds } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';
import { signingKeyFromEnvironment } from '../shared/tokens.ts';
import { loginInput, parse } from '../shared/validation.ts';

const deps = {
  users: new UserRepository(createDocumentClient(), tableName()),
  bcryptCost: bcryptCost(),
  signingKey: signingKeyFromEnvironment(),
  tokenTtlSeconds: tokenTtlSeconds(),
};

export const handler = httpHandler({
  'POST /auth/login': async (request) => ({
    status: 200,
    body: await login(deps, parse(loginInput, request.body)),
  }),
});
