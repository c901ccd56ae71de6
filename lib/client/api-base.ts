/**
 * What every method of the HTTP client stands on: the base URL and timeouts, the session's tokens and their
 * renewal, and the request helpers (a request refused for an expired token is sent once more after a refresh).
 * `ChatApi` (http.ts) adds one method per route.
 */
import { Credentials, type TokensListener } from './credentials.ts';
import { ApiError } from './errors.ts';
import {
  type HttpMethod,
  type HttpResult,
  type HttpTransport,
  httpRequest,
  type Query,
  type RequestOptions,
} from './http-transport.ts';
import type { Created } from './paging.ts';
import type { LoginResult, Page, SendOptions } from './types.ts';

export interface ChatApiOptions {
  /** The HTTP API's base URL, e.g. `http://127.0.0.1:3000` or the stack output `HttpApiUrl`. */
  readonly baseUrl: string;
  /** The access token of `login`; needed by every route but register, login and refresh. */
  readonly token?: string;
  /**
   * The refresh token of the same login: when the access token is refused (it expired), the client refreshes
   * once and retries the request. Without it, a refused token is the caller's to handle.
   */
  readonly refreshToken?: string;
  /** Called with the new tokens after each refresh or password change, e.g. to save them. */
  readonly onTokens?: TokensListener;
  /**
   * How this client refreshes (default: `refresh(refreshToken)`, one `POST /auth/refresh`). Processes that
   * share one saved login (the CLI's) pass one that first looks for tokens another process has refreshed
   * meanwhile: refreshing with a token already used elsewhere would end the session.
   */
  readonly refresher?: Refresher;
  /** Each request fails with `TIMEOUT` after this long. Default 15 s. */
  readonly timeoutMs?: number;
  /** For tests and unusual runtimes; default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/** Renews a session's tokens: `refresh` is the `POST /auth/refresh` of this client. */
export type Refresher = (
  refreshToken: string,
  refresh: (refreshToken: string) => Promise<LoginResult>,
) => Promise<LoginResult>;

const DEFAULT_TIMEOUT_MS = 15_000;

/** The transport and the credentials of a `ChatApi`. */
export class ApiClientBase {
  readonly baseUrl: string;
  protected readonly transport: HttpTransport;
  protected readonly credentials: Credentials;

  constructor(protected readonly options: ChatApiOptions) {
    this.transport = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      token: undefined,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      // Called as `transport.fetch(...)`, the browser's own fetch would get the transport as `this` and throw
      // "Illegal invocation": it is wrapped so that it is always called on the global object.
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    };
    this.baseUrl = this.transport.baseUrl;
    this.credentials = new Credentials(
      options.token,
      options.refreshToken,
      (refreshToken) =>
        options.refresher === undefined
          ? this.refresh(refreshToken)
          : options.refresher(refreshToken, (token) => this.refresh(token)),
      options.onTokens,
    );
  }

  /** The access token in use now (it changes when the client refreshes). */
  get token(): string | undefined {
    return this.credentials.accessToken;
  }

  /**
   * After `staleToken` was refused: resolves true when a newer access token can be used (this refreshes
   * at most once for every caller that saw the same token fail), false when none can be had.
   */
  renewToken(staleToken: string): Promise<boolean> {
    return this.credentials.renew(staleToken);
  }

  /** `POST /auth/refresh`: new tokens of the same session; `refreshToken` is used up. Changes no client. */
  async refresh(refreshToken: string): Promise<LoginResult> {
    return (await this.send<LoginResult>(undefined, 'POST', '/auth/refresh', { body: { refreshToken } }))
      .body;
  }

  /** One page of a list route: the items under `key`, and `nextCursor`. */
  protected async page<T>(path: string, key: string, query: Query): Promise<Page<T>> {
    const { body } = await this.request<Record<string, unknown>>('GET', path, { query });
    return { items: body[key] as T[], nextCursor: body.nextCursor as string | null };
  }

  /** POSTs a message; an idempotent repeat (same clientMessageId) answers 200 with the stored one. */
  protected async postMessage<T>(path: string, text: string, options: SendOptions): Promise<Created<T>> {
    const { status, body } = await this.request<{ message: T }>('POST', path, {
      body: { text, clientMessageId: options.clientMessageId, replyTo: options.replyTo },
    });
    return { value: body.message, created: status === 201 };
  }

  /**
   * A request with the access token. Refused with 401 UNAUTHORIZED (it expired, most likely), it is sent once
   * more after a refresh; a refresh that cannot be had leaves the 401 as the answer.
   */
  protected async request<T>(
    method: HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResult<T>> {
    const token = this.credentials.accessToken;
    try {
      return await this.send<T>(token, method, path, options);
    } catch (error) {
      const refused = error instanceof ApiError && error.status === 401 && error.code === 'UNAUTHORIZED';
      if (!refused || token === undefined || !(await this.credentials.renew(token))) throw error;
      return this.send<T>(this.credentials.accessToken, method, path, options);
    }
  }

  protected send<T>(
    token: string | undefined,
    method: HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResult<T>> {
    return httpRequest<T>({ ...this.transport, token }, method, path, options);
  }
}
