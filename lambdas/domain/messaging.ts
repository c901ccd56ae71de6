import type { ServerFrameOf } from '../../lib/contract/index.ts';
import type { Conversation, ConversationRepository } from '../data/conversations.ts';
import type { MessageChangeRepository } from '../data/message-changes.ts';
import type {
  AppendResult,
  HistoryPage,
  HistoryPosition,
  Message,
  MessageRepository,
  MessageTarget,
} from '../data/messages.ts';
import {
  BlockedError,
  ConversationNotFoundError,
  MessageNotFoundError,
  SocketError,
} from '../shared/errors.ts';
import type { Identity } from '../shared/tokens.ts';
import { type LimitDeps, takeRateToken } from './limits.ts';
import { type DeliveryDeps, deliver, idsOf } from './presence.ts';
import {
  addMember,
  assertNotMuted,
  keepIfRoomOpen,
  type RoomAccessDeps,
  visibleRoom,
} from './room-access.ts';
import { deliverRoomMessage, type ShardingDeps } from './sharded-fanout.ts';

export interface MessagingDeps extends DeliveryDeps, ShardingDeps, LimitDeps, RoomAccessDeps {
  readonly messages: MessageRepository;
  readonly conversations: ConversationRepository;
  readonly messageChanges: MessageChangeRepository;
  readonly newMessageId: () => string;
}

export interface OutgoingMessage {
  readonly text: string;
  readonly clientMessageId?: string;
  /** A message of the same room or conversation, not deleted (one strongly consistent GetItem checks it). */
  readonly replyTo?: string;
}

/**
 * A message from a WebSocket connection to a room it has joined. Costs the write (with its idempotency guard),
 * one Query of the room's connections, which finds the sender's, and one GetItem of the sender's membership. The sender gets `ack`; every other
 * connection in the room gets the message, by fan-out workers in shards above the sharding threshold (the ack
 * never waits for them). A repeated clientMessageId is acknowledged with the first message
 * and delivered to nobody.
 * Over the sender's message rate nothing is stored or delivered.
 * @throws SocketError NOT_IN_ROOM; ForbiddenError MUTED; RateLimitedError
 */
export async function sendRoomMessageFromConnection(
  deps: MessagingDeps,
  connectionId: string,
  room: string,
  outgoing: OutgoingMessage,
): Promise<AppendResult> {
  const members = await deps.connections.members(room);
  const sender = members.find((member) => member.connectionId === connectionId);
  // A connection in the room is a member's, unless a kick or ban is taking it out right now: check the membership.
  const member = sender && (await deps.memberships.get(room, sender.username, true));
  if (sender === undefined || member === undefined) {
    throw new SocketError('NOT_IN_ROOM', `Join the room "${room}" before sending to it.`);
  }
  assertNotMuted(member, room, deps.now());
  await takeRateToken(deps, 'message', sender.username);
  const result = await store(deps, { room }, sender.username, outgoing);
  await deliver(deps, [connectionId], ackOf(result.message));
  if (result.created) {
    const others = members.filter((member) => member.connectionId !== connectionId);
    await deliverRoomMessage(deps, idsOf(others), messageFrame(result.message));
  }
  return result;
}

/**
 * A message posted over HTTP to a room: stored, then pushed to every connection in the room. It takes a token of
 * the sender's message rate first, shared with the WebSocket. Posting needs membership: a public room grants it
 * on the way.
 * @throws RateLimitedError; RoomNotFoundError also for a private room the caller is not a member of;
 * ForbiddenError MUTED, BANNED (a public room's post by a banned non-member).
 */
export async function postRoomMessage(
  deps: MessagingDeps,
  identity: Identity,
  room: string,
  outgoing: OutgoingMessage,
): Promise<AppendResult> {
  await takeRateToken(deps, 'message', identity.username);
  const visible = await visibleRoom(deps, identity.username, room);
  assertNotMuted(visible.member, room, deps.now());
  if (visible.member === undefined) await addMember(deps, visible.room, identity.username);
  const result = await store(deps, { room }, identity.username, outgoing);
  if (result.created) {
    const members = await deps.connections.members(room);
    await deliverRoomMessage(deps, idsOf(members), messageFrame(result.message));
  }
  return result;
}

/**
 * A direct message in a conversation, from a connection (`connectionId` set: it gets the ack and not the
 * message) or over HTTP. Delivered to every connection of both participants but the sending one.
 * @throws RateLimitedError; ConversationNotFoundError also when the sender is not a participant; BlockedError
 * when the other participant blocks the sender.
 */
export async function sendDirectMessage(
  deps: MessagingDeps,
  sender: { readonly username: string; readonly connectionId?: string },
  conversationId: string,
  outgoing: OutgoingMessage,
): Promise<AppendResult> {
  await takeRateToken(deps, 'message', sender.username);
  const participation = await deps.conversations.participation(sender.username, conversationId);
  if (participation === undefined) throw new ConversationNotFoundError();
  if (participation.blockedByPeer) throw new BlockedError();
  const { conversation } = participation;
  const result = await store(deps, { conversationId }, sender.username, outgoing);
  // Before the ack, so that a client holding its ack sees the message in its conversation list; also on a
  // repeat, which heals a first attempt that stopped between the two writes (the update keeps the newest).
  await deps.conversations.recordLastMessage(conversation, result.message);
  if (sender.connectionId !== undefined) await deliver(deps, [sender.connectionId], ackOf(result.message));
  if (result.created) {
    const recipients = (await connectionsOf(deps, conversation)).filter((id) => id !== sender.connectionId);
    await deliver(deps, recipients, messageFrame(result.message));
  }
  return result;
}

/**
 * A page of a room's history, before or after a message: a public room's for every signed-in user, a private room's for its members.
 * @throws RoomNotFoundError also for a private room the caller is not a member of.
 */
export async function roomHistory(
  deps: MessagingDeps,
  identity: Identity,
  room: string,
  limit: number,
  position: HistoryPosition = {},
): Promise<HistoryPage> {
  await visibleRoom(deps, identity.username, room);
  return deps.messages.page({ room }, limit, position);
}

/**
 * A page of a conversation's history, before or after a message, for its participants only.
 * @throws ConversationNotFoundError also when the caller is not a participant.
 */
export async function conversationHistory(
  deps: MessagingDeps,
  identity: Identity,
  conversationId: string,
  limit: number,
  position: HistoryPosition = {},
): Promise<HistoryPage> {
  if ((await deps.conversations.getFor(identity.username, conversationId)) === undefined) {
    throw new ConversationNotFoundError();
  }
  return deps.messages.page({ conversationId }, limit, position);
}

async function store(
  deps: MessagingDeps,
  target: MessageTarget,
  from: string,
  outgoing: OutgoingMessage,
): Promise<AppendResult> {
  if (outgoing.replyTo !== undefined && !(await deps.messageChanges.isLive(target, outgoing.replyTo))) {
    throw new MessageNotFoundError();
  }
  const message: Message = {
    messageId: deps.newMessageId(),
    ...target,
    from,
    text: outgoing.text,
    sentAt: deps.now().toISOString(),
    ...(outgoing.clientMessageId === undefined ? {} : { clientMessageId: outgoing.clientMessageId }),
    ...(outgoing.replyTo === undefined ? {} : { replyTo: outgoing.replyTo }),
  };
  const result = await deps.messages.append(message);
  const { room } = result.message;
  // A room deleted meanwhile must not keep it: its deletion may have read the partition before this write.
  if (room !== undefined) {
    await keepIfRoomOpen(deps, room, () => deps.roomDeletion.discardMessage({ ...result.message, room }));
  }
  if (result.created) deps.recordMetric('MessagesSent', 1);
  return result;
}

/** Every connection of a conversation's participants: 1 Query of GSI1 per participant. */
export async function connectionsOf(deps: MessagingDeps, conversation: Conversation): Promise<string[]> {
  const perParticipant = await Promise.all(
    conversation.participants.map((participant) => deps.connections.connectionIdsOf(participant)),
  );
  return perParticipant.flat();
}

function ackOf(message: Message): ServerFrameOf<'ack'> {
  return {
    type: 'ack',
    messageId: message.messageId,
    sentAt: message.sentAt,
    ...(message.clientMessageId === undefined ? {} : { clientMessageId: message.clientMessageId }),
  };
}

function messageFrame(message: Message): ServerFrameOf<'message'> {
  return { type: 'message', ...message };
}
