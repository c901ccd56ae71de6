// biome-ignore lint/suspicious/noExplicitAny: tests read whatever the contract returns.
export type Json = any;

/** A tiny fetch wrapper for the HTTP API: JSON in, status + JSON out. */
export function apiClient(baseUrl: string) {
  const call = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string } = {},
  ) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json };
  };
  let counter = 0;
  return {
    call,
    /** Registers and logs in a fresh user. */
    async signUp(prefix = 'user'): Promise<{ token: string; username: string; userId: string }> {
      counter += 1;
      const username = `${prefix}${counter}_${Math.random().toString(36).slice(2, 7)}`;
      const password = 'correct horse battery';
      const registered = await call('POST', '/auth/register', {
        body: { username, email: `${username}@example.com`, password },
      });
      if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered)}`);
      const login = await call('POST', '/auth/login', { body: { username, password } });
      return { token: login.body.token, username, userId: registered.body.user.userId };
    },
  };
}
