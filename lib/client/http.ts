/**
 * The HTTP half of the contract: one method per route, typed results, and `ApiError` (with the server's
 * code) or `UnreachableError` / `TimeoutError` for everything that is not a success.
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
import * as membership from './membership.ts';
import {
  type Created,
  exportAll,
  type HistoryOptions,
  type PageOptions,
  readAllPages,
  recentMessages,
} from './paging.ts';
import type {
  AccountExport,
  Conversation,
  ConversationMessage,
  ConversationSummary,
  Invitation,
  LoginResult,
  Message,
  MyRoom,
  Page,
  Room,
  RoomMember,
  RoomMessage,
  SendOptions,
  User,
  Visibility,
  WebSocketTicket,
} from './types.ts';

export type { TokensListener } from './credentials.ts';
export type { Created, HistoryOptions, PageOptions } from './paging.ts';

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
  /** Each request fails with `TIMEOUT` after this long. Default 15 s. */
  readonly timeoutMs?: number;
  /** For tests and unusual runtimes; default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * A client of the HTTP API. `withLogin` gives a signed-in copy that holds its session's tokens and renews
 * them as they expire (`withToken`: one that only sends an access token).
 */
export class ChatApi {
  readonly baseUrl: string;
  private readonly transport: HttpTransport;
  private readonly credentials: Credentials;

  constructor(private readonly options: ChatApiOptions) {
    this.transport = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      token: undefined,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      fetch: options.fetch ?? fetch,
    };
    this.baseUrl = this.transport.baseUrl;
    this.credentials = new Credentials(
      options.token,
      options.refreshToken,
      (refreshToken) => this.refresh(refreshToken),
      options.onTokens,
    );
  }

  /** The access token in use now (it changes when the client refreshes). */
  get token(): string | undefined {
    return this.credentials.accessToken;
  }

  withToken(token: string | undefined): ChatApi {
    return new ChatApi({ ...this.options, token, refreshToken: undefined });
  }

  /** A client signed in with the tokens of a login, refresh or password change, renewing them itself. */
  withLogin(login: LoginResult, onTokens = this.options.onTokens): ChatApi {
    return new ChatApi({ ...this.options, token: login.token, refreshToken: login.refreshToken, onTokens });
  }

  /**
   * After `staleToken` was refused: resolves true when a newer access token can be used (this refreshes
   * at most once for every caller that saw the same token fail), false when none can be had.
   */
  renewToken(staleToken: string): Promise<boolean> {
    return this.credentials.renew(staleToken);
  }

  // --- accounts ---

  async register(account: { username: string; email: string; password: string }): Promise<User> {
    return (await this.send<{ user: User }>(undefined, 'POST', '/auth/register', { body: account })).body
      .user;
  }

  async login(username: string, password: string): Promise<LoginResult> {
    return (await this.send<LoginResult>(undefined, 'POST', '/auth/login', { body: { username, password } }))
      .body;
  }

  /** `POST /auth/refresh`: new tokens of the same session; `refreshToken` is used up. Changes no client. */
  async refresh(refreshToken: string): Promise<LoginResult> {
    return (await this.send<LoginResult>(undefined, 'POST', '/auth/refresh', { body: { refreshToken } }))
      .body;
  }

  /** Ends this session on the server (its sockets close); this client is signed out. */
  async logout(): Promise<void> {
    await this.request('POST', '/auth/logout');
    this.credentials.forget();
  }

  /** Ends every session of the user, this one included. */
  async logoutAll(): Promise<void> {
    await this.request('POST', '/auth/logout-all');
    this.credentials.forget();
  }

  /** Every earlier session ends; this client carries on in the new one, whose tokens go to `onTokens`. */
  async changePassword(currentPassword: string, newPassword: string): Promise<LoginResult> {
    const { body } = await this.request<LoginResult>('POST', '/auth/password', {
      body: { currentPassword, newPassword },
    });
    this.credentials.adopt(body);
    return body;
  }

  /** A single-use ticket to open the WebSocket with `?ticket=` within `expiresIn` seconds. */
  async wsTicket(): Promise<WebSocketTicket> {
    return (await this.request<WebSocketTicket>('POST', '/auth/ws-ticket')).body;
  }

  /** Deletes the account for good (the username stays taken); this client is signed out. */
  async deleteAccount(password: string): Promise<void> {
    await this.request('DELETE', '/auth/me', { body: { password } });
    this.credentials.forget();
  }

  async me(): Promise<User> {
    return (await this.request<{ user: User }>('GET', '/auth/me')).body.user;
  }

  /** Everything stored about the user: every export page, their arrays concatenated. */
  exportAccount(): Promise<Omit<AccountExport, 'nextCursor'>> {
    return exportAll((options) => this.exportPage(options));
  }

  /** One page of everything stored about the user (`exportAccount` reads them all). */
  async exportPage(options: PageOptions = {}): Promise<AccountExport> {
    const query = { limit: options.limit, cursor: options.cursor };
    return (await this.request<AccountExport>('GET', '/auth/me/export', { query })).body;
  }

  // --- rooms ---

  listRooms(options: PageOptions = {}): Promise<Page<Room>> {
    return this.page<Room>('/rooms', 'rooms', { limit: options.limit, cursor: options.cursor });
  }

  /** Every room the caller may see (public ones and their private ones), following `nextCursor`. */
  listAllRooms(): Promise<Room[]> {
    return readAllPages((options) => this.listRooms(options));
  }

  /** Creates a room owned by the caller; public unless said otherwise. */
  async createRoom(name: string, options: { visibility?: Visibility; topic?: string } = {}): Promise<Room> {
    const body = { name, visibility: options.visibility, topic: options.topic };
    return (await this.request<{ room: Room }>('POST', '/rooms', { body })).body.room;
  }

  // --- membership (lib/client/membership.ts) ---

  private readonly call: membership.Requester = (method, path, options) =>
    this.request(method, path, options);
  joinRoom = (room: string): Promise<Created<RoomMember>> => membership.joinRoom(this.call, room);
  leaveRoom = (room: string): Promise<void> => membership.leaveRoom(this.call, room);
  roomMembers = (room: string, options: PageOptions = {}): Promise<Page<RoomMember>> =>
    membership.roomMembers(this.call, room, options);
  invite = (room: string, username: string): Promise<Invitation> =>
    membership.invite(this.call, room, username);
  myRooms = (options: PageOptions = {}): Promise<Page<MyRoom>> => membership.myRooms(this.call, options);
  myInvitations = (options: PageOptions = {}): Promise<Page<Invitation>> =>
    membership.myInvitations(this.call, options);

  roomMessages(room: string, options: HistoryOptions = {}): Promise<Page<RoomMessage>> {
    return this.page<RoomMessage>(`/rooms/${encodeURIComponent(room)}/messages`, 'messages', {
      limit: options.limit,
      before: options.before,
    });
  }

  postRoomMessage(room: string, text: string, options: SendOptions = {}): Promise<Created<RoomMessage>> {
    return this.postMessage<RoomMessage>(`/rooms/${encodeURIComponent(room)}/messages`, text, options);
  }

  // --- conversations ---

  /** The conversation with `peer` (a username), created when there is none yet. */
  async openConversation(peer: string): Promise<Created<Conversation>> {
    const { status, body } = await this.request<{ conversation: Conversation }>('POST', '/conversations', {
      body: { peer },
    });
    return { value: body.conversation, created: status === 201 };
  }

  /** Most recent activity first. */
  listConversations(options: PageOptions = {}): Promise<Page<ConversationSummary>> {
    return this.page<ConversationSummary>('/conversations', 'conversations', {
      limit: options.limit,
      cursor: options.cursor,
    });
  }

  /** Every conversation, following `nextCursor` until the end. */
  listAllConversations(): Promise<ConversationSummary[]> {
    return readAllPages((options) => this.listConversations(options));
  }

  conversationMessages(
    conversationId: string,
    options: HistoryOptions = {},
  ): Promise<Page<ConversationMessage>> {
    return this.page<ConversationMessage>(
      `/conversations/${encodeURIComponent(conversationId)}/messages`,
      'messages',
      { limit: options.limit, before: options.before },
    );
  }

  postConversationMessage(
    conversationId: string,
    text: string,
    options: SendOptions = {},
  ): Promise<Created<ConversationMessage>> {
    return this.postMessage<ConversationMessage>(
      `/conversations/${encodeURIComponent(conversationId)}/messages`,
      text,
      options,
    );
  }

  /**
   * The `count` most recent messages of a room or conversation (fewer when there are not as many), oldest
   * first, reading as many pages as needed.
   */
  recentMessages(target: { room: string } | { conversationId: string }, count: number): Promise<Message[]> {
    return recentMessages(
      (options) =>
        'room' in target
          ? this.roomMessages(target.room, options)
          : this.conversationMessages(target.conversationId, options),
      count,
    );
  }

  // --- transport ---

  /** One page of a list route: the items under `key`, and `nextCursor`. */
  private async page<T>(path: string, key: string, query: Query): Promise<Page<T>> {
    const { body } = await this.request<Record<string, unknown>>('GET', path, { query });
    return { items: body[key] as T[], nextCursor: body.nextCursor as string | null };
  }

  /** POSTs a message; an idempotent repeat (same clientMessageId) answers 200 with the stored one. */
  private async postMessage<T>(path: string, text: string, options: SendOptions): Promise<Created<T>> {
    const { status, body } = await this.request<{ message: T }>('POST', path, {
      body: { text, clientMessageId: options.clientMessageId },
    });
    return { value: body.message, created: status === 201 };
  }

  /**
   * A request with the access token. Refused with 401 UNAUTHORIZED (it expired, most likely), it is sent once
   * more after a refresh; a refresh that cannot be had leaves the 401 as the answer.
   */
  private async request<T>(
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

  private send<T>(
    token: string | undefined,
    method: HttpMethod,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResult<T>> {
    return httpRequest<T>({ ...this.transport, token }, method, path, options);
  }
}
