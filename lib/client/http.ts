/**
 * The HTTP half of the contract: one method per route, typed results, and `ApiError` (with the server's
 * code) or `UnreachableError` / `TimeoutError` for everything that is not a success.
 */
import { ApiClientBase } from './api-base.ts';
import * as groups from './groups.ts';
import * as membership from './membership.ts';
import * as moderation from './moderation.ts';
import {
  type Created,
  exportAll,
  type HistoryOptions,
  messagesAfter,
  type PageOptions,
  readAllPages,
  recentMessages,
} from './paging.ts';
import type {
  AccountExport,
  AssignableRole,
  Block,
  Conversation,
  ConversationMessage,
  ConversationSummary,
  Device,
  Invitation,
  LoginResult,
  Message,
  MessageTarget,
  MyRoom,
  Page,
  PresentUser,
  PushPlatform,
  Room,
  RoomBan,
  RoomMember,
  RoomMessage,
  RoomMute,
  SendOptions,
  User,
  Visibility,
  WebSocketTicket,
} from './types.ts';

export type { ChatApiOptions, Refresher } from './api-base.ts';
export type { TokensListener } from './credentials.ts';
export type { BanOptions, ModerationOptions } from './moderation.ts';
export type { Created, HistoryOptions, PageOptions } from './paging.ts';

/** Where a message lives: a room or a conversation. */
export type { MessageTarget };

/** The path of one message of a room or a conversation. */
function messagePath(target: MessageTarget, messageId: string): string {
  const place =
    'room' in target
      ? `/rooms/${encodeURIComponent(target.room)}`
      : `/conversations/${encodeURIComponent(target.conversationId)}`;
  return `${place}/messages/${encodeURIComponent(messageId)}`;
}

/**
 * A client of the HTTP API. `withLogin` gives a signed-in copy that holds its session's tokens and renews
 * them as they expire (`withToken`: one that only sends an access token).
 */
export class ChatApi extends ApiClientBase {
  withToken(token: string | undefined): ChatApi {
    return new ChatApi({ ...this.options, token, refreshToken: undefined });
  }

  /** A client signed in with the tokens of a login, refresh or password change, renewing them itself. */
  withLogin(login: LoginResult, onTokens = this.options.onTokens): ChatApi {
    return new ChatApi({ ...this.options, token: login.token, refreshToken: login.refreshToken, onTokens });
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
  roomPresence = (room: string, options: PageOptions = {}): Promise<Page<PresentUser>> =>
    membership.roomPresence(this.call, room, options);
  invite = (room: string, username: string): Promise<Invitation> =>
    membership.invite(this.call, room, username);
  myRooms = (options: PageOptions = {}): Promise<Page<MyRoom>> => membership.myRooms(this.call, options);
  myInvitations = (options: PageOptions = {}): Promise<Page<Invitation>> =>
    membership.myInvitations(this.call, options);

  // --- moderation (lib/client/moderation.ts) ---

  kick = (room: string, username: string): Promise<void> => moderation.kick(this.call, room, username);
  ban = (room: string, username: string, options: moderation.BanOptions = {}): Promise<RoomBan> =>
    moderation.ban(this.call, room, username, options);
  unban = (room: string, username: string): Promise<void> => moderation.unban(this.call, room, username);
  mute = (room: string, username: string, options: moderation.ModerationOptions = {}): Promise<RoomMute> =>
    moderation.mute(this.call, room, username, options);
  unmute = (room: string, username: string): Promise<void> => moderation.unmute(this.call, room, username);
  setRole = (room: string, username: string, role: AssignableRole): Promise<RoomMember> =>
    moderation.setRole(this.call, room, username, role);
  deleteRoom = (room: string): Promise<void> => moderation.deleteRoom(this.call, room);

  roomMessages(room: string, options: HistoryOptions = {}): Promise<Page<RoomMessage>> {
    return this.page<RoomMessage>(`/rooms/${encodeURIComponent(room)}/messages`, 'messages', {
      limit: options.limit,
      before: options.before,
      after: options.after,
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

  // --- groups (lib/client/groups.ts) ---

  createGroup = (participants: readonly string[], title?: string): Promise<Conversation> =>
    groups.createGroup(this.call, participants, title);
  addParticipant = (conversationId: string, username: string): Promise<Conversation> =>
    groups.addParticipant(this.call, conversationId, username);
  leaveConversation = (conversationId: string): Promise<void> =>
    groups.leaveConversation(this.call, conversationId);
  renameConversation = (conversationId: string, title: string): Promise<Conversation> =>
    groups.renameConversation(this.call, conversationId, title);

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
      { limit: options.limit, before: options.before, after: options.after },
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

  // --- one message: edit, delete, reactions ---

  /** The author's new text for a message; answers the message with `editedAt`. */
  async editMessage(target: MessageTarget, messageId: string, text: string): Promise<Message> {
    const path = messagePath(target, messageId);
    return (await this.request<{ message: Message }>('PATCH', path, { body: { text } })).body.message;
  }

  /** Deletes a message (its author; in a room also the owner and moderators): a tombstone. Idempotent. */
  async deleteMessage(target: MessageTarget, messageId: string): Promise<void> {
    await this.request('DELETE', messagePath(target, messageId));
  }

  /** Reacts to a message with one emoji (`added`), or takes the reaction back. Idempotent either way. */
  async react(target: MessageTarget, messageId: string, emoji: string, added = true): Promise<void> {
    const path = `${messagePath(target, messageId)}/reactions/${encodeURIComponent(emoji)}`;
    await this.request(added ? 'PUT' : 'DELETE', path);
  }

  /** Users whose username starts with `prefix` (at least 2 characters, any case), by username. */
  searchUsers(prefix: string, options: PageOptions = {}): Promise<Page<{ username: string }>> {
    return this.page<{ username: string }>('/users', 'users', {
      prefix,
      limit: options.limit,
      cursor: options.cursor,
    });
  }

  // --- blocks ---

  /** Blocks `username`: they can no longer open a conversation with you nor send in one. Idempotent. */
  async block(username: string): Promise<void> {
    await this.request('PUT', `/me/blocks/${encodeURIComponent(username)}`);
  }

  /** Lifts a block (whether there was one or not). */
  async unblock(username: string): Promise<void> {
    await this.request('DELETE', `/me/blocks/${encodeURIComponent(username)}`);
  }

  /** The users you block, by username. */
  listBlocks(options: PageOptions = {}): Promise<Page<Block>> {
    return this.page<Block>('/me/blocks', 'blocks', { limit: options.limit, cursor: options.cursor });
  }

  /** Every user you block, following `nextCursor` until the end. */
  listAllBlocks(): Promise<Block[]> {
    return readAllPages((options) => this.listBlocks(options));
  }

  // --- push notifications ---

  /** Registers this device for pushes, or gives it a new token. At most 10 per user (403 QUOTA_EXCEEDED). */
  async registerDevice(deviceId: string, platform: PushPlatform, token: string): Promise<void> {
    await this.request('PUT', `/me/devices/${encodeURIComponent(deviceId)}`, { body: { platform, token } });
  }

  /** Stops pushes to a device (whether it was registered or not). */
  async deleteDevice(deviceId: string): Promise<void> {
    await this.request('DELETE', `/me/devices/${encodeURIComponent(deviceId)}`);
  }

  /** Your registered devices, by device id (their tokens are never answered). */
  async listDevices(): Promise<Device[]> {
    return (await this.request<{ devices: Device[] }>('GET', '/me/devices')).body.devices;
  }

  /** Mutes (no pushes) or unmutes a conversation, for you only. */
  async muteConversation(conversationId: string, muted = true): Promise<{ muted: boolean }> {
    const path = `/conversations/${encodeURIComponent(conversationId)}/settings`;
    return (
      await this.request<{ conversationId: string; muted: boolean }>('PATCH', path, { body: { muted } })
    ).body;
  }

  /**
   * The `count` most recent messages of a room or conversation (fewer when there are not as many), oldest
   * first, reading as many pages as needed.
   */
  recentMessages(target: MessageTarget, count: number): Promise<Message[]> {
    return recentMessages((options) => this.history(target, options), count);
  }

  /**
   * Every message of a room or conversation newer than `after` (a message id), oldest first, reading forward
   * until up to date: how a client catches up after being away.
   */
  messagesAfter(target: MessageTarget, after: string): Promise<Message[]> {
    return messagesAfter((options) => this.history(target, options), after);
  }

  /**
   * Moves your read marker of a room (a member's) or conversation forward to `messageId` (never back);
   * answers the marker as it now is. In a conversation, the other participant's sessions get `read`.
   */
  async markRead(target: MessageTarget, messageId: string): Promise<string> {
    const path =
      'room' in target
        ? `/rooms/${encodeURIComponent(target.room)}/read`
        : `/conversations/${encodeURIComponent(target.conversationId)}/read`;
    const answer = await this.request<{ lastReadMessageId: string }>('POST', path, { body: { messageId } });
    return answer.body.lastReadMessageId;
  }

  private history(target: MessageTarget, options: HistoryOptions): Promise<Page<Message>> {
    return 'room' in target
      ? this.roomMessages(target.room, options)
      : this.conversationMessages(target.conversationId, options);
  }
}
