/**
 * The HTTP half of the contract: one method per route, typed results, and `ApiError` (with the server's
 * code) or `UnreachableError` / `TimeoutError` for everything that is not a success.
 */
import { limits } from '../contract/limits.ts';
import {
  type HttpMethod,
  type HttpResult,
  type HttpTransport,
  httpRequest,
  type Query,
  type RequestOptions,
} from './http-transport.ts';
import type {
  Conversation,
  ConversationMessage,
  ConversationSummary,
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
  private readonly transport: HttpTransport;

  constructor(options: ChatApiOptions) {
    this.transport = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      token: options.token,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      fetch: options.fetch ?? fetch,
    };
    this.baseUrl = this.transport.baseUrl;
    this.token = this.transport.token;
  }

  withToken(token: string | undefined): ChatApi {
    return new ChatApi({ ...this.transport, token });
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

  listRooms(options: PageOptions = {}): Promise<Page<Room>> {
    return this.page<Room>('/rooms', 'rooms', { limit: options.limit, cursor: options.cursor });
  }

  /** Every room, following `nextCursor` until the end. */
  listAllRooms(): Promise<Room[]> {
    return readAllPages((options) => this.listRooms(options));
  }

  async createRoom(name: string): Promise<Room> {
    return (await this.request<{ room: Room }>('POST', '/rooms', { body: { name } })).body.room;
  }

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
  async recentMessages(
    target: { room: string } | { conversationId: string },
    count: number,
  ): Promise<Message[]> {
    const pages: Message[][] = [];
    let remaining = count;
    let before: string | undefined;
    while (remaining > 0) {
      const options = { limit: Math.min(remaining, limits.pageSize.max), before };
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

  private request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<HttpResult<T>> {
    return httpRequest<T>(this.transport, method, path, options);
  }
}

/** Every item of a paged list, following `nextCursor` until the end. */
async function readAllPages<T>(list: (options: PageOptions) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: limits.pageSize.max, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}
