import { createDocumentClient } from '../data/client.ts';
import { UserRepository } from '../data/users.ts';
import { login } from '../domain/accounts.ts';
import { bcryptCost, tableName } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';
import { buildSessionDeps } from './session-deps.ts';

const doc = createDocumentClient();
const deps = {
  ...buildSessionDeps(doc),
  users: new UserRepository(doc, tableName()),
  bcryptCost: bcryptCost(),
};

export const handler = httpHandler('login', {
  'POST /auth/login': async ({ body }) => ({ status: 200, body: await login(deps, body) }),
});
