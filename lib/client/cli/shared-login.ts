/**
 * The saved login is shared by every `chat` process of the user (a chat window left open, commands run beside
 * it), and a refresh token is single use: a process that refreshes with a token another one has already used
 * ends the session for all of them (the server takes it for a stolen token). So a refresh holds a lock on the
 * config file, and first looks whether the saved login has moved on: then those tokens are taken instead.
 */
import { lock } from 'proper-lockfile';
import type { LoginResult } from '../types.ts';
import { configPath, readConfig, type SavedLogin, savedLogin, writeConfig } from './config.ts';

/** How long a refresh waits for another process's, and after how long a lock left by a dead process is broken. */
const LOCK_WAIT = { retries: 60, minTimeout: 50, maxTimeout: 250 } as const;
const STALE_LOCK_MS = 20_000;

/**
 * Refreshes the login of `userId` on `apiUrl` whose refresh token is `used`, with `refresh`, unless another
 * process already has: then answers the saved tokens. The new tokens are saved before the lock is released.
 */
export async function refreshSharedLogin(
  directory: string,
  current: { readonly apiUrl: string; readonly userId: string },
  used: string,
  refresh: (refreshToken: string) => Promise<LoginResult>,
): Promise<LoginResult> {
  const release = await lock(configPath(directory), {
    realpath: false,
    stale: STALE_LOCK_MS,
    retries: LOCK_WAIT,
  });
  try {
    const saved = readConfig(directory).login;
    const sameLogin = saved?.apiUrl === current.apiUrl && saved.userId === current.userId;
    if (sameLogin && saved.refreshToken !== undefined && saved.refreshToken !== used) {
      return loginResultOf(saved, saved.refreshToken);
    }
    const result = await refresh(used);
    writeConfig(directory, { ...readConfig(directory), login: savedLogin(result, current.apiUrl) });
    return result;
  } finally {
    await release();
  }
}

/** A saved login as the login answer it was saved from. */
function loginResultOf(saved: SavedLogin, refreshToken: string): LoginResult {
  return {
    token: saved.token,
    tokenType: 'Bearer',
    expiresIn: secondsUntil(accessTokenExpiry(saved.token)),
    refreshToken,
    refreshExpiresIn: secondsUntil(Date.parse(saved.expiresAt)),
    user: { userId: saved.userId, username: saved.username },
  };
}

const secondsUntil = (epochMs: number): number => Math.max(0, Math.floor((epochMs - Date.now()) / 1000));

/** The `exp` of a JWT, read without verifying it (the server does that); now when it cannot be read. */
function accessTokenExpiry(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp * 1000 : Date.now();
  } catch {
    return Date.now();
  }
}
