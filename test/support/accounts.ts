import { expect } from 'vitest';
import { httpEvent, readResponse } from './events.ts';

let counter = 0;

/** A fresh, valid registration body with a unique username. */
export function newAccount(prefix = 'user') {
  counter += 1;
  const username = `${prefix}${counter}_${Math.random().toString(36).slice(2, 8)}`;
  return { username, email: `${username}@example.com`, password: 'correct horse battery' };
}

/** Registers and logs in a new user through the real handlers; returns the token. */
export async function signUp(prefix = 'user'): Promise<{ token: string; username: string; userId: string }> {
  const register = (await import('../../lambdas/handlers/register.ts')).handler;
  const login = (await import('../../lambdas/handlers/login.ts')).handler;
  const account = newAccount(prefix);
  const registered = readResponse(
    await register(httpEvent({ routeKey: 'POST /auth/register', body: account })),
  );
  expect(registered.status).toBe(201);
  const loggedIn = readResponse(
    await login(
      httpEvent({
        routeKey: 'POST /auth/login',
        body: { username: account.username, password: account.password },
      }),
    ),
  );
  expect(loggedIn.status).toBe(200);
  return { token: loggedIn.body.token, username: account.username, userId: registered.body.user.userId };
}
