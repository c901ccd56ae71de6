import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { BlockRepository } from '../data/blocks.ts';
import { createDocumentClient } from '../data/client.ts';
import { ConnectionRepository } from '../data/connections.ts';
import { ConversationRepository } from '../data/conversations.ts';
import { FanOutShardRepository } from '../data/fanout-shards.ts';
import { MembershipRepository } from '../data/memberships.ts';
import { MessageChangeRepository } from '../data/message-changes.ts';
import { MessageRepository } from '../data/messages.ts';
import { PresenceRepository } from '../data/presence.ts';
import { ReadMarkerRepository } from '../data/read-markers.ts';
import { RoomDeletionRepository } from '../data/room-deletion.ts';
import { RoomRepository } from '../data/rooms.ts';
import { SanctionRepository } from '../data/sanctions.ts';
import { TypingThrottle } from '../data/typing.ts';
import { UserRepository } from '../data/users.ts';
import type { ConnectionPoster } from '../domain/fanout.ts';
import type { MessagingDeps } from '../domain/messaging.ts';
import type { FanOutWorkerDeps } from '../domain/sharded-fanout.ts';
import { presenceListMax, tableName } from '../shared/config.ts';
import { fanOutWorker } from '../shared/functions.ts';
import { logger } from '../shared/logger.ts';
import { managementApiPoster } from '../shared/management.ts';
import { recordMetric } from '../shared/metrics.ts';
import { limitDeps } from './limit-deps.ts';

/**
 * How many posts to connections a fan-out keeps in flight. At most 50 are on the wire (the SDK agent's sockets
 * per host); the rest wait in the agent's queue, already signed, and go out the moment a socket frees. Measured
 * with `npm run bench` (docs/performance.md): 16 and 32 are clearly slower than 50; from 50 up the differences
 * are within run-to-run noise, but for posting a whole room at once, which was 5–25% faster. 500 posts rooms of
 * up to 500 members at once, and caps both the memory of a huge room's fan-out and how long a post may wait for
 * a socket while its 5 s connection timer runs (lambdas/shared/management.ts): about 0.2 s here, a few times that
 * on a 512 MB function's share of a CPU.
 */
export const FAN_OUT_CONCURRENCY = 500;

/** The real-time use cases' dependencies, built on the given clients; `overrides` replace single parts. */
export function messagingDeps(
  doc: DynamoDBDocumentClient,
  table: string,
  poster: ConnectionPoster,
  overrides: Partial<MessagingDeps> = {},
): MessagingDeps & {
  users: UserRepository;
  blocks: BlockRepository;
  sanctions: SanctionRepository;
  readMarkers: ReadMarkerRepository;
  typing: TypingThrottle;
} {
  return {
    users: new UserRepository(doc, table),
    blocks: new BlockRepository(doc, table),
    rooms: new RoomRepository(doc, table),
    memberships: new MembershipRepository(doc, table),
    roomDeletion: new RoomDeletionRepository(doc, table),
    sanctions: new SanctionRepository(doc, table),
    connections: new ConnectionRepository(doc, table),
    presence: new PresenceRepository(doc, table),
    presenceListMax: presenceListMax(),
    messages: new MessageRepository(doc, table),
    messageChanges: new MessageChangeRepository(doc, table),
    conversations: new ConversationRepository(doc, table),
    readMarkers: new ReadMarkerRepository(doc, table),
    typing: new TypingThrottle(doc, table),
    ...limitDeps(doc, table),
    poster,
    fanOutConcurrency: FAN_OUT_CONCURRENCY,
    now: () => new Date(),
    newMessageId: monotonicFactory(),
    warn: (message, attributes) => logger.warn(message, attributes),
    recordMetric,
    ...overrides,
  };
}

/**
 * Everything the real-time use cases need, built once per container at module scope by the functions that
 * post to connections. Building it only creates clients; nothing is fetched.
 */
export function buildMessagingDeps(overrides: Partial<MessagingDeps> = {}): ReturnType<typeof messagingDeps> {
  return messagingDeps(createDocumentClient(), tableName(), managementApiPoster(), overrides);
}

/** The fan-out worker's dependencies, built once per container. */
export function buildFanOutWorkerDeps(): FanOutWorkerDeps {
  const doc = createDocumentClient();
  const table = tableName();
  return {
    connections: new ConnectionRepository(doc, table),
    presence: new PresenceRepository(doc, table),
    presenceListMax: presenceListMax(),
    poster: managementApiPoster(),
    fanOutConcurrency: FAN_OUT_CONCURRENCY,
    shards: new FanOutShardRepository(doc, table),
    leaseMs: fanOutWorker.timeoutSeconds * 1000,
    now: () => new Date(),
    warn: (message, attributes) => logger.warn(message, attributes),
    recordMetric,
  };
}
