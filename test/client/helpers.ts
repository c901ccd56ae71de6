import { ChatApi } from '../../lib/client/index.ts';
import { newAccount, uniqueRoomName } from '../support/accounts.ts';

export { PASSWORD, uniqueName } from '../support/accounts.ts';

/** Registers and logs in a fresh user through the typed client; returns a signed-in `ChatApi`. */
export async function signUp(
  baseUrl: string,
  prefix = 'user',
): Promise<{ api: ChatApi; username: string; userId: string; token: string }> {
  const anonymous = new ChatApi({ baseUrl });
  const account = newAccount(prefix);
  const user = await anonymous.register(account);
  const login = await anonymous.login(account.username, account.password);
  return {
    api: anonymous.withToken(login.token),
    username: account.username,
    userId: user.userId,
    token: login.token,
  };
}

/** A room with a fresh name, created by `api`'s user. */
export async function newRoom(api: ChatApi, prefix = 'room'): Promise<string> {
  const room = await api.createRoom(uniqueRoomName(prefix));
  return room.name;
}
