/**
 * The tokens of a signed-in client: the short-lived access token sent with each request, and the refresh
 * token that renews it. A refresh token is single use (a second use ends the session on the server), so
 * however many requests fail together, one refresh at a time goes out and they all retry with its answer.
 */
import { isChatClientError } from './errors.ts';
import type { LoginResult } from './types.ts';

/** Told each time the tokens change (a refresh, a password change), so that the owner can keep them. */
export type TokensListener = (login: LoginResult) => void;

export class Credentials {
  private refreshing: Promise<boolean> | undefined;

  constructor(
    private access: string | undefined,
    private refreshToken: string | undefined,
    /** `POST /auth/refresh`. */
    private readonly exchange: (refreshToken: string) => Promise<LoginResult>,
    private readonly onTokens: TokensListener | undefined,
  ) {}

  /** The access token to send now, if any. */
  get accessToken(): string | undefined {
    return this.access;
  }

  /** Takes the tokens of a login answer into use and tells the owner. */
  adopt(login: LoginResult): void {
    this.access = login.token;
    this.refreshToken = login.refreshToken;
    this.onTokens?.(login);
  }

  /** The session ended (logout, deletion): nothing is sent, nothing refreshed, from now on. */
  forget(): void {
    this.access = undefined;
    this.refreshToken = undefined;
  }

  /**
   * Called when `stale` was refused with 401: resolves true when a newer access token is there to retry with
   * (refreshed now, or by a request that failed at the same time), false when none can be had (no refresh
   * token, or the server refused it). A network failure of the refresh rejects with that failure.
   */
  renew(stale: string): Promise<boolean> {
    if (this.access !== undefined && this.access !== stale) return Promise.resolve(true);
    if (this.refreshing !== undefined) return this.refreshing;
    const used = this.refreshToken;
    if (used === undefined) return Promise.resolve(false);
    this.refreshing = this.exchange(used)
      .then(
        (login) => {
          // A logout or password change meanwhile has decided the tokens; this answer is stale.
          if (this.refreshToken !== used) return this.access !== undefined;
          this.adopt(login);
          return true;
        },
        (error: unknown) => {
          // 401 INVALID_REFRESH_TOKEN (or a 400 for a token that cannot be one): the session is over.
          if (
            isChatClientError(error) &&
            'status' in error &&
            (error.status === 401 || error.status === 400)
          ) {
            if (this.refreshToken === used) this.forget();
            return false;
          }
          throw error;
        },
      )
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}
