import { randomUUID } from 'node:crypto';
import { createDocumentClient } from '../data/client.ts';
import { UserRepository } from '../data/users.ts';
import { register } from '../domain/accounts.ts';
import { bcryptCost, tableName } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';

const deps = {
  users: new UserRepository(createDocumentClient(), tableName()),
  now: () => new Date(),
  newUserId: randomUUID,
  bcryptCost: bcryptCost(),
};

export const handler = httpHandler('register', {
  'POST /auth/register': async ({ body }) => ({ status: 201, body: { user: await register(deps, body) } }),
});
