import { issueToken } from '../../lambdas/shared/tokens.ts';
import {
  ChatApi,
  type ChatApiOptions,
  ChatSession,
  type ChatSessionOptions,
  type LoginResult,
} from '../../lib/client/index.ts';
import { newAccount, sessionIdOf, uniqueRoomName } from '../support/accounts.ts';
import { TEST_JWT_SECRET } from '../support/table.ts';

export { PASSWORD, uniqueName } from '../support/accounts.ts';

/**
 * Registers and logs in a fresh user through the typed client; returns a signed-in `ChatApi` (refreshing
 * itself) and the login's answer. `options` (a counting `fetch`, `onTokens`) apply to the signed-in client.
 */
export async function signUp(
  baseUrl: string,
  prefix = 'user',
  options: Omit<ChatApiOptions, 'baseUrl'> = {},
): Promise<{
  api: ChatApi;
  username: string;
  userId: string;
  token: string;
  password: string;
  login: LoginResult;
}> {
  const anonymous = new ChatApi({ baseUrl });
  const account = newAccount(prefix);
  const user = await anonymous.register(account);
  const login = await anonymous.login(account.username, account.password);
  return {
    api: new ChatApi({ baseUrl, ...options }).withLogin(login),
    username: account.username,
    userId: user.userId,
    token: login.token,
    password: account.password,
    login,
  };
}

/**
 * An access token of the same session as `login` that expired `secondsAgo` ago (or expires in `-secondsAgo`),
 * signed as the server signs: what a client holds once its 15 minutes are over, without waiting for them.
 */
export function expiredToken(login: LoginResult, secondsAgo = 10): string {
  const identity = { ...login.user, sessionId: sessionIdOf(login.token) };
  return issueToken(TEST_JWT_SECRET, identity, -secondsAgo).token;
}

/** A `fetch` that counts the requests to each path, for checking how many refreshes went out. */
export function countingFetch(): { fetch: typeof fetch; calls: (path: string) => number } {
  const counts = new Map<string, number>();
  return {
    fetch: (input, init) => {
      const path = new URL(input instanceof Request ? input.url : input).pathname;
      counts.set(path, (counts.get(path) ?? 0) + 1);
      return fetch(input, init);
    },
    calls: (path) => counts.get(path) ?? 0,
  };
}

/** A room with a fresh name, created by `api`'s user. */
export async function newRoom(api: ChatApi, prefix = 'room'): Promise<string> {
  const room = await api.createRoom(uniqueRoomName(prefix));
  return room.name;
}

/**
 * Sessions opened by a test file, closed by `closeAll` (call it after each test): `connect(user)` opens one for
 * a token's user or a ChatApi's (handshakes authenticated with tickets through that ChatApi), with any other
 * session options; `track` adds a session opened another way.
 */
export function sessionPool(stack: { readonly httpUrl: string; readonly wsUrl: string }) {
  const open: ChatSession[] = [];
  const track = (session: ChatSession): ChatSession => {
    open.push(session);
    return session;
  };
  return {
    async connect(
      user: string | ChatApi,
      options: Omit<Partial<ChatSessionOptions>, 'url' | 'auth'> = {},
    ): Promise<ChatSession> {
      const auth = typeof user === 'string' ? new ChatApi({ baseUrl: stack.httpUrl, token: user }) : user;
      return track(await ChatSession.connect({ url: stack.wsUrl, auth, ...options }));
    },
    track,
    closeAll: () => Promise.all(open.splice(0).map((session) => session.close())),
  };
}
