/**
 * The signed-in session's tokens: in memory, and in sessionStorage so that a reload of the tab keeps the user
 * signed in. Not localStorage: a refresh token is single use, and two tabs sharing one would refresh with the
 * same token and end the session; sessionStorage is per tab and is cleared when the tab closes, which also keeps
 * a 30-day refresh token from outliving the visit on a shared computer. (An HttpOnly cookie would hide the
 * tokens from scripts, but the API takes them in the Authorization header, as its other clients do.)
 */
import type { LoginResult } from '../../lib/client/index.ts';

const KEY = 'chat.login';

export function savedLogin(): LoginResult | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw === null ? undefined : (JSON.parse(raw) as LoginResult);
  } catch {
    return undefined;
  }
}

export function saveLogin(login: LoginResult): void {
  sessionStorage.setItem(KEY, JSON.stringify(login));
}

export function forgetLogin(): void {
  sessionStorage.removeItem(KEY);
}
