import { monotonicFactory } from 'ulid';
import { createDocumentClient } from '../data/client.ts';
import { ConnectionRepository } from '../data/connections.ts';
import { ConversationRepository } from '../data/conversations.ts';
import { MessageRepository } from '../data/messages.ts';
import { RoomRepository } from '../data/rooms.ts';
import { UserRepository } from '../data/users.ts';
import type { MessagingDeps } from '../domain/messaging.ts';
import { tableName } from '../shared/config.ts';
import { logger } from '../shared/logger.ts';
import { managementApiPoster } from '../shared/management.ts';
import { recordMetric } from '../shared/metrics.ts';

/**
 * How many posts to connections a fan-out keeps in flight. The SDK's HTTP agent keeps up to 50 sockets per
 * host; see README "Performance" for how this was chosen.
 */
export const FAN_OUT_CONCURRENCY = 32;

/**
 * Everything the real-time use cases need, built once per container at module scope by the functions that
 * post to connections. Building it only creates clients; nothing is fetched.
 */
export function buildMessagingDeps(): MessagingDeps & { users: UserRepository } {
  const doc = createDocumentClient();
  const table = tableName();
  return {
    users: new UserRepository(doc, table),
    rooms: new RoomRepository(doc, table),
    connections: new ConnectionRepository(doc, table),
    messages: new MessageRepository(doc, table),
    conversations: new ConversationRepository(doc, table),
    poster: managementApiPoster(),
    fanOutConcurrency: FAN_OUT_CONCURRENCY,
    now: () => new Date(),
    newMessageId: monotonicFactory(),
    warn: (message, attributes) => logger.warn(message, attributes),
    recordMetric,
  };
}
