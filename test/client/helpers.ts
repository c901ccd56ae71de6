import { randomBytes } from 'node:crypto';
import { ChatApi } from '../../lib/client/index.ts';

export const PASSWORD = 'correct horse battery';

/** A username nobody has taken: 3..32 characters of the allowed set. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** Registers and logs in a fresh user through the client; returns a signed-in `ChatApi`. */
export async function signUp(
  baseUrl: string,
  prefix = 'user',
): Promise<{ api: ChatApi; username: string; userId: string; token: string }> {
  const anonymous = new ChatApi({ baseUrl });
  const username = uniqueName(prefix);
  const user = await anonymous.register({ username, email: `${username}@example.com`, password: PASSWORD });
  const login = await anonymous.login(username, PASSWORD);
  return { api: anonymous.withToken(login.token), username, userId: user.userId, token: login.token };
}

/** A room with a fresh name, created by `api`'s user. */
export async function newRoom(api: ChatApi, prefix = 'room'): Promise<string> {
  const room = await api.createRoom(`${prefix}-${randomBytes(4).toString('hex')}`);
  return room.name;
}
