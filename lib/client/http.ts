/**
 * The HTTP half of the contract: one method per route, typed results, and `ApiError` (with the server's
 * code) or `UnreachableError` / `TimeoutError` for everything that is not a success.
 */
import { ApiError, networkReason, TimeoutError, UnreachableError } from './errors.ts';
import type {
  Conversation,
  ConversationMessage,
  ConversationSummary,
  ErrorDetail,
  LoginResult,
  Message,
  Page,
  Room,
  RoomMessage,
  SendOptions,
  User,
} from './types.ts';

export interface ChatApiOptions {
  /** The HTTP API's base URL, e.g. `http://127.0.0.1:3000` or the stack output `HttpApiUrl`. */
  readonly baseUrl: string;
  /** The bearer token of `login`; needed by every route but register and login. */
  readonly token?: string;
  /** Each request fails with `TIMEOUT` after this long. Default 15 s. */
  readonly timeoutMs?: number;
  /** For tests and unusual runtimes; default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

export interface PageOptions {
  /** 1..100; the server's default is 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface HistoryOptions {
  /** 1..100; the server's default is 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page: fetches the messages before it. */
  readonly before?: string;
}

/** The result of a POST that may find an existing object: `created` is false on an idempotent repeat. */
export interface Created<T> {
  readonly value: T;
  readonly created: boolean;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** A client of the HTTP API. Immutable: `withToken` gives a signed-in copy. */
export class ChatApi {
  readonly baseUrl: string;
  readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ChatApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? fetch;
  }

  withToken(token: string | undefined): ChatApi {
    return new ChatApi({ baseUrl: this.baseUrl, token, timeoutMs: this.timeoutMs, fetch: this.fetchImpl });
  }

  // --- accounts ---

  async register(account: { username: string; email: string; password: string }): Promise<User> {
    return (await this.request<{ user: User }>('POST', '/auth/register', { body: account })).body.user;
  }

  async login(username: string, password: string): Promise<LoginResult> {
    return (await this.request<LoginResult>('POST', '/auth/login', { body: { username, password } })).body;
  }

  async me(): Promise<User> {
    return (await this.request<{ user: User }>('GET', '/auth/me')).body.user;
  }

  // --- rooms ---

  async listRooms(options: PageOptions = {}): Promise<Page<Room>> {
    const { body } = await this.request<{ rooms: Room[]; nextCursor: string | null }>('GET', '/rooms', {
      query: { limit: options.limit, cursor: options.cursor },
    });
    return { items: body.rooms, nextCursor: body.nextCursor };
  }

  /** Every room, following `nextCursor` until the end. */
  async listAllRooms(): Promise<Room[]> {
    const rooms: Room[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listRooms({ limit: 100, cursor });
      rooms.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return rooms;
  }

  async createRoom(name: string): Promise<Room> {
    return (await this.request<{ room: Room }>('POST', '/rooms', { body: { name } })).body.room;
  }

  async roomMessages(room: string, options: HistoryOptions = {}): Promise<Page<RoomMessage>> {
    const { body } = await this.request<{ messages: RoomMessage[]; nextCursor: string | null }>(
      'GET',
      `/rooms/${encodeURIComponent(room)}/messages`,
      { query: { limit: options.limit, before: options.before } },
    );
    return { items: body.messages, nextCursor: body.nextCursor };
  }

  async postRoomMessage(
    room: string,
    text: string,
    options: SendOptions = {},
  ): Promise<Created<RoomMessage>> {
    const { status, body } = await this.request<{ message: RoomMessage }>(
      'POST',
      `/rooms/${encodeURIComponent(room)}/messages`,
      { body: { text, clientMessageId: options.clientMessageId } },
    );
    return { value: body.message, created: status === 201 };
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
  async listConversations(options: PageOptions = {}): Promise<Page<ConversationSummary>> {
    const { body } = await this.request<{ conversations: ConversationSummary[]; nextCursor: string | null }>(
      'GET',
      '/conversations',
      { query: { limit: options.limit, cursor: options.cursor } },
    );
    return { items: body.conversations, nextCursor: body.nextCursor };
  }

  async listAllConversations(): Promise<ConversationSummary[]> {
    const conversations: ConversationSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listConversations({ limit: 100, cursor });
      conversations.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return conversations;
  }

  async conversationMessages(
    conversationId: string,
    options: HistoryOptions = {},
  ): Promise<Page<ConversationMessage>> {
    const { body } = await this.request<{ messages: ConversationMessage[]; nextCursor: string | null }>(
      'GET',
      `/conversations/${encodeURIComponent(conversationId)}/messages`,
      { query: { limit: options.limit, before: options.before } },
    );
    return { items: body.messages, nextCursor: body.nextCursor };
  }

  async postConversationMessage(
    conversationId: string,
    text: string,
    options: SendOptions = {},
  ): Promise<Created<ConversationMessage>> {
    const { status, body } = await this.request<{ message: ConversationMessage }>(
      'POST',
      `/conversations/${encodeURIComponent(conversationId)}/messages`,
      { body: { text, clientMessageId: options.clientMessageId } },
    );
    return { value: body.message, created: status === 201 };
  }

  /**
   * The `count` most recent messages of a room or conversation (fewer when there are not as many), oldest
   * first, reading as many pages as needed.
   */
  async recentMessages(
    target: { room: string } | { conversationId: string },
    count: number,
  ): Promise<Message[]> {
    const pages: Message[][] = [];
    let remaining = count;
    let before: string | undefined;
    while (remaining > 0) {
      const options = { limit: Math.min(remaining, 100), before };
      const page =
        'room' in target
          ? await this.roomMessages(target.room, options)
          : await this.conversationMessages(target.conversationId, options);
      pages.unshift([...page.items]);
      remaining -= page.items.length;
      if (page.nextCursor === null || page.items.length === 0) break;
      before = page.nextCursor;
    }
    return pages.flat();
  }

  // --- transport ---

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; query?: Record<string, string | number | undefined> } = {},
  ): Promise<{ status: number; body: T }> {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;

    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      if ((error as Error)?.name === 'TimeoutError') {
        throw new TimeoutError(`${method} ${path} at ${this.baseUrl}`, this.timeoutMs);
      }
      throw new UnreachableError(this.baseUrl, networkReason(error), { cause: error });
    }

    const body = parseJson(text);
    if (response.ok) {
      if (body === undefined) {
        throw new ApiError(
          response.status,
          'BAD_RESPONSE',
          `${method} ${path} answered ${response.status} without a JSON body; is ${this.baseUrl} the chat HTTP API?`,
        );
      }
      return { status: response.status, body: body as T };
    }
    throw errorOf(response.status, body, this.baseUrl);
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The contract's `{code, message, details?}`. Anything else (API Gateway's own `{"message":"Not Found"}` for
 * a path it does not know, a proxy's HTML page) still becomes an `ApiError`, with a code made from the status.
 */
function errorOf(status: number, body: unknown, baseUrl: string): ApiError {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as {
    code?: unknown;
    message?: unknown;
    details?: unknown;
  };
  const details = Array.isArray(fields.details) ? (fields.details as ErrorDetail[]) : [];
  if (typeof fields.code === 'string' && fields.code !== '' && typeof fields.message === 'string') {
    return new ApiError(status, fields.code, fields.message, details);
  }
  const said = typeof fields.message === 'string' && fields.message !== '' ? ` (${fields.message})` : '';
  const hint = status === 403 || status === 404 ? '; is that the chat HTTP API URL?' : '';
  return new ApiError(
    status,
    `HTTP_${status}`,
    `The server at ${baseUrl} answered HTTP ${status}${said}${hint}`,
  );
}
