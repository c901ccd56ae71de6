import { createDocumentClient } from '../data/client.ts';
import { LoginFailureRepository } from '../data/login-failures.ts';
import { UserRepository } from '../data/users.ts';
import { login } from '../domain/accounts.ts';
import { bcryptCost, loginLockoutPolicy, tableName } from '../shared/config.ts';
import { httpHandler } from '../shared/http.ts';
import { recordMetric } from '../shared/metrics.ts';
import { buildSessionDeps } from './session-deps.ts';

const doc = createDocumentClient();
const deps = {
  ...buildSessionDeps(doc),
  users: new UserRepository(doc, tableName()),
  bcryptCost: bcryptCost(),
  lockout: {
    failures: new LoginFailureRepository(doc, tableName()),
    policy: loginLockoutPolicy(),
    now: Date.now,
    recordMetric,
  },
};

export const handler = httpHandler('login', {
  'POST /auth/login': async ({ body, sourceIp }) => ({
    status: 200,
    body: await login(deps, body, sourceIp),
  }),
});
