import { limits, type PushPayload } from '../../lib/contract/index.ts';
import type { DeviceRepository } from '../data/devices.ts';
import { canonicalUsername } from '../data/keys.ts';
import type { Message } from '../data/messages.ts';
import type { PushRepository } from '../data/push.ts';
import type { PushProvider } from './push-providers.ts';

export interface NotifierDeps {
  readonly push: PushRepository;
  readonly devices: DeviceRepository;
  readonly provider: PushProvider;
  readonly now: () => Date;
  readonly warn: (message: string, attributes: Record<string, unknown>) => void;
  /** The user's push badge (lambdas/domain/read-state.ts `unreadTotal`), for the conversation being pushed. */
  readonly badge: (username: string, conversationId: string | undefined) => Promise<number>;
}

/** How long a claimed push may take before another delivery of its record may send it. */
export const PUSH_LEASE_MS = 60_000;
/** How long a push's marker is kept: longer than the stream keeps a record (24 hours). */
export const PUSH_MARKER_SECONDS = 2 * 24 * 60 * 60;
/** A message mentions at most this many users who are sent a push: the cost of one message stays bounded. */
export const MAX_MENTIONS = 20;

/**
 * Sends the pushes a stored message calls for, off the sending path (the table's stream drives it). In a
 * conversation: each other participant who has not muted it and has no open connection (1 GetItem of the
 * conversation, then per participant 1 GetItem and 1 index Query). In a room: each user mentioned as
 * `@username` (at most 20) who is a member of the room with no connection present in it (2 GetItems each: the
 * member item and the presence item), so that no one outside a room is sent its text. Each recipient's devices
 * are 1 Query; a recipient with devices has their badge counted once (`unreadTotal`); each push is claimed, sent
 * and marked (2 writes), so a redelivered record sends nothing twice.
 * @returns how many pushes were sent.
 */
export async function notifyMessage(deps: NotifierDeps, message: Message): Promise<number> {
  const { recipients, groupTitle } = await recipientsOf(deps, message);
  let sent = 0;
  for (const username of recipients) {
    const devices = await deps.devices.list(username);
    if (devices.length === 0) continue;
    const payload = payloadOf(message, await deps.badge(username, message.conversationId), groupTitle);
    for (const device of devices) {
      const target = { messageId: message.messageId, username: device.username, deviceId: device.deviceId };
      const nowMs = deps.now().getTime();
      if (!(await deps.push.claim(target, nowMs, PUSH_LEASE_MS, PUSH_MARKER_SECONDS))) continue;
      let outcome: Awaited<ReturnType<PushProvider['send']>>;
      try {
        outcome = await deps.provider.send(device, payload);
      } catch (error) {
        await deps.push.release(target);
        throw error;
      }
      await deps.push.markSent(target, deps.now().toISOString());
      if (outcome === 'sent') sent++;
      if (outcome === 'gone') await deps.devices.remove(device.username, device.deviceId);
      if (outcome !== 'sent') {
        deps.warn('Push not sent', { outcome, platform: device.platform, messageId: message.messageId });
      }
    }
  }
  return sent;
}

async function recipientsOf(
  deps: NotifierDeps,
  message: Message,
): Promise<{ recipients: string[]; groupTitle?: string }> {
  const sender = canonicalUsername(message.from);
  if (message.conversationId !== undefined) {
    const conversationId = message.conversationId;
    const { names, title } = await deps.push.participants(conversationId);
    const others = names.filter((name) => canonicalUsername(name) !== sender);
    const wanted = await Promise.all(
      others.map(
        async (name) =>
          !(await deps.push.isMuted(name, conversationId)) && !(await deps.push.isConnected(name)),
      ),
    );
    const recipients = others.filter((_, index) => wanted[index]);
    return title === undefined ? { recipients } : { recipients, groupTitle: title };
  }
  const room = message.room;
  if (room === undefined) return { recipients: [] };
  const mentioned = mentionsOf(message.text).filter((name) => name !== sender);
  const absent = await Promise.all(mentioned.map((name) => deps.push.isAbsentMember(room, name)));
  return { recipients: mentioned.filter((_, index) => absent[index]) };
}

/**
 * The users a text mentions as `@username`, lower-cased, each once, at most MAX_MENTIONS. A mention ends where a
 * username's characters end; trailing dots and hyphens are read as punctuation (`@bob.` mentions `bob`) as well.
 */
export function mentionsOf(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/(?<![A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{3,32})/g)) {
    const name = (match[1] as string).toLowerCase();
    names.add(name);
    const trimmed = name.replace(/[.-]+$/, '');
    if (trimmed.length >= 3) names.add(trimmed);
  }
  return [...names].slice(0, MAX_MENTIONS);
}

/**
 * The push of a message: who wrote where (a room, or a group by its title), its text cut to 100 characters, the
 * ids to open it by, and the recipient's badge (their unread count).
 */
export function payloadOf(message: Message, badge: number, groupTitle?: string): PushPayload {
  const place = message.room === undefined ? groupTitle : `#${message.room}`;
  const title = place === undefined ? message.from : `${message.from} in ${place}`;
  return {
    title,
    body: cut(message.text, limits.maxPushBodyCharacters),
    ...(message.conversationId === undefined ? {} : { conversationId: message.conversationId }),
    ...(message.room === undefined ? {} : { room: message.room }),
    messageId: message.messageId,
    badge,
  };
}

/** At most `max` characters (code points, so an emoji is never split), ending in "…" when cut. */
function cut(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}
