/**
 * The DynamoDB capacity each operation consumes, as DynamoDB Local reports it (`ReturnConsumedCapacity: TOTAL`
 * added to every call by a middleware), running the domain functions in-process on a table of their own. On an
 * on-demand table these are the read and write request units billed.
 */

import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Connection } from '../../lambdas/data/connections.ts';
import { connectionKey, roomMemberKey, userConnectionsIndexKey } from '../../lambdas/data/keys.ts';
import { LoginFailureRepository } from '../../lambdas/data/login-failures.ts';
import { SessionRepository } from '../../lambdas/data/sessions.ts';
import { login, register } from '../../lambdas/domain/accounts.ts';
import { openConversation } from '../../lambdas/domain/conversations.ts';
import type { ConnectionPoster } from '../../lambdas/domain/fanout.ts';
import { bucketStep } from '../../lambdas/domain/limits.ts';
import {
  roomHistory,
  sendDirectMessage,
  sendRoomMessageFromConnection,
} from '../../lambdas/domain/messaging.ts';
import { joinRoom, openConnection } from '../../lambdas/domain/presence.ts';
import { messagingDeps } from '../../lambdas/handlers/deps.ts';
import { CONNECTION_TTL_SECONDS, loginLockoutPolicy } from '../../lambdas/shared/config.ts';
import { ensureTable, localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import { type MessageChangeCapacity, measureMessageChangeCapacity } from './capacity-messages.ts';
import { measureReadCapacity, type ReadCapacity } from './capacity-read.ts';
import { measureSessionCapacity, type SessionCapacity } from './capacity-sessions.ts';
import { batchWrite } from './environment.ts';
import { round } from './stats.ts';

export interface Capacity {
  /** Read request units. */
  readonly read: number;
  /** Write request units. */
  readonly write: number;
  /** The DynamoDB calls, by command. */
  readonly calls: string;
}

export interface CapacityResult extends SessionCapacity, MessageChangeCapacity, ReadCapacity {
  readonly register: Capacity;
  readonly login: Capacity;
  /** A wrong password: the login's reads, and both failure counters written. */
  readonly loginFailed: Capacity;
  /** An attempt refused while locked out: the counters read, nothing else. */
  readonly loginLockedOut: Capacity;
  readonly join: Capacity;
  readonly roomMessage10: Capacity;
  readonly roomMessage100: Capacity;
  /** A 10-member room's message again, after 2,000 connections joined other rooms: it must not change. */
  readonly roomMessage10WithOtherRooms: Capacity;
  readonly dm: Capacity;
  readonly historyPage: Capacity;
  /** A user's rate token taken within their steady rate: part of every message, join, room creation above. */
  readonly rateToken: Capacity;
  /** A rate token taken within a burst (the bucket not full): the reset refused, then the increment. */
  readonly rateTokenInBurst: Capacity;
  /** A request refused over the rate: the refused reset, nothing else. */
  readonly rateRefused: Capacity;
}

/** One DynamoDB call and the capacity it consumed. */
export interface CapacityCall {
  readonly command: string;
  readonly read: number;
  readonly write: number;
  /** Items in a transaction. */
  readonly items?: number;
}

/**
 * A document client that asks DynamoDB for the capacity of every call and records it in `calls`.
 *
 * DynamoDB Local misreports transactions (2 units for a TransactWriteItems of any number of new items, sometimes 2
 * per item), while DynamoDB bills 2 write units per item and KB in a transaction. Every item the benchmark writes is
 * under 1 KB, so a transaction's table writes are counted as 2 units per item, as DynamoDB bills it. Index writes
 * (`ReturnConsumedCapacity: INDEXES`) are added as reported: each item written with index keys also writes GSI1.
 */
export function capacityRecordingClient(endpoint: string): {
  doc: DynamoDBDocumentClient;
  calls: CapacityCall[];
} {
  const calls: CapacityCall[] = [];
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, ...localAwsSettings }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'INDEXES';
      const command = (context.commandName ?? '?').replace(/Command$/, '');
      let result: Awaited<ReturnType<typeof next>>;
      try {
        result = await next(args);
      } catch (error) {
        // DynamoDB bills a write refused by its condition as a write of the item (1 unit under 1 KB: every
        // item written here), but the refusal carries no consumed capacity: count it as billed.
        if ((error as Error).name === 'ConditionalCheckFailedException') {
          calls.push({ command: `${command}(refused)`, read: 0, write: 1 });
        }
        throw error;
      }
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as ConsumedCapacity[];
      const table = list.reduce(
        (sum, entry) => sum + (entry.Table?.CapacityUnits ?? entry.CapacityUnits ?? 0),
        0,
      );
      const indexes = list.reduce((sum, entry) => sum + indexUnits(entry), 0);
      if (command === 'TransactWriteItems') {
        const items = (input.TransactItems as unknown[] | undefined)?.length ?? 0;
        calls.push({ command, read: 0, write: Math.max(table, 2 * items) + indexes, items });
      } else if (/^(Put|Update|Delete|BatchWrite)/.test(command)) {
        calls.push({ command, read: 0, write: table + indexes });
      } else {
        calls.push({ command, read: table + indexes, write: 0 });
      }
      return result;
    },
    { step: 'initialize', name: 'consumedCapacity' },
  );
  return { doc, calls };
}

/** What `ReturnConsumedCapacity: INDEXES` reports for one table. */
interface ConsumedCapacity {
  readonly CapacityUnits?: number;
  readonly Table?: { readonly CapacityUnits?: number };
  readonly GlobalSecondaryIndexes?: Record<string, { readonly CapacityUnits?: number }>;
}

const indexUnits = (entry: ConsumedCapacity): number =>
  Object.values(entry.GlobalSecondaryIndexes ?? {}).reduce(
    (sum, index) => sum + (index.CapacityUnits ?? 0),
    0,
  );

/** `GetItem 0.5r · TransactWriteItems[2] 4w · Query 1r`: what a measurement's calls consumed, in order. */
export function describeCalls(calls: readonly CapacityCall[]): string {
  return calls
    .map((call) => {
      const name = call.items === undefined ? call.command : `${call.command}[${call.items}]`;
      return `${name} ${call.write > 0 ? `${call.write}w` : `${call.read}r`}`;
    })
    .join(' · ');
}

export async function measureCapacity(endpoint: string): Promise<CapacityResult> {
  const tableName = `bench-capacity-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint, tableName);
  const { doc, calls } = capacityRecordingClient(endpoint);
  const measure = async (run: () => Promise<unknown>): Promise<Capacity> => {
    calls.length = 0;
    await run();
    return {
      read: round(
        calls.reduce((sum, call) => sum + call.read, 0),
        2,
      ),
      write: round(
        calls.reduce((sum, call) => sum + call.write, 0),
        2,
      ),
      calls: describeCalls(calls),
    };
  };

  // Deliveries are not what is measured: a poster that accepts every frame stands in for the management API.
  const poster: ConnectionPoster = { post: async () => {} };
  // A clock that moves on a second at every reading: each user's requests come within their steady rate, as
  // nearly all do, so that every measured operation pays the one write of a full bucket (the burst and the
  // refusal are measured on their own below).
  let tick = Date.now();
  const deps = messagingDeps(doc, tableName, poster, {
    now: () => {
      tick += 1000;
      return new Date(tick);
    },
    fanOutConcurrency: 32,
    warn: () => {},
    recordMetric: () => {},
  });
  const accountDeps = {
    users: deps.users,
    now: () => new Date(),
    newUserId: randomUUID,
    // The hash's cost changes CPU, not capacity.
    bcryptCost: 4,
    signingKey: async () => 'a-signing-key-for-the-capacity-benchmark-only',
    tokenTtlSeconds: 900,
    sessions: new SessionRepository(doc, tableName),
    sessionTtlSeconds: 3600,
    lockout: {
      failures: new LoginFailureRepository(doc, tableName),
      // A threshold of 1, so that the failure measured next locks the username for the attempt after it.
      policy: { ...loginLockoutPolicy(), usernameFailures: 1 },
      now: Date.now,
      recordMetric: () => {},
    },
  };
  const password = 'correct horse battery';
  const account = (username: string) => ({ username, email: `${username}@example.com`, password });

  try {
    const registerCapacity = await measure(() => register(accountDeps, account('alice')));
    await register(accountDeps, account('bob'));
    const loginCapacity = await measure(() =>
      login(accountDeps, { username: 'alice', password }, '192.0.2.1'),
    );
    const refused = () => undefined;
    const loginFailed = await measure(() =>
      login(accountDeps, { username: 'bob', password: 'wrong password' }, '192.0.2.1').catch(refused),
    );
    const loginLockedOut = await measure(() =>
      login(accountDeps, { username: 'bob', password }, '192.0.2.1').catch(refused),
    );

    // Rooms of 10 and 100 members (one connection per user), with some history.
    const members = async (room: string, count: number) => {
      await deps.rooms.create({
        name: room,
        createdBy: 'alice',
        createdAt: new Date().toISOString(),
        visibility: 'public',
        memberCount: 1,
      });
      const ids: string[] = [];
      for (let index = 0; index < count; index++) {
        const connectionId = `${room}-conn-${index}`;
        await openConnection(deps, connectionId, {
          userId: `u-${room}-${index}`,
          username: `${room}_u${index}`,
          sessionId: 'capacity',
        });
        await joinRoom(deps, connectionId, room);
        ids.push(connectionId);
      }
      return ids;
    };
    const ten = await members('ten', 9);
    // The 10th member's join is the one measured: a room of 9 others, of whom it is told.
    await openConnection(deps, 'alice-conn', { userId: 'u-alice', username: 'alice', sessionId: 'capacity' });
    const joinCapacity = await measure(() => joinRoom(deps, 'alice-conn', 'ten'));
    ten.push('alice-conn');
    const hundred = await members('hundred', 100);
    for (let index = 0; index < 60; index++) {
      await sendRoomMessageFromConnection(deps, ten[0] as string, 'ten', { text: `history ${index}` });
    }
    const roomMessage = (room: string, sender: string, index: number) =>
      measure(() =>
        sendRoomMessageFromConnection(deps, sender, room, { text: 'hello', clientMessageId: `cap-${index}` }),
      );
    const roomMessage10 = await roomMessage('ten', 'alice-conn', 1);
    const roomMessage100 = await roomMessage('hundred', hundred[0] as string, 2);

    // 2,000 connections in 100 other rooms.
    const expiresAt = Math.floor(Date.now() / 1000) + CONNECTION_TTL_SECONDS;
    const others: Connection[] = Array.from({ length: 2_000 }, (_, index) => ({
      connectionId: `other-${index}`,
      userId: `u-other-${index}`,
      username: `other${index}`,
      connectedAt: new Date().toISOString(),
      expiresAt,
    }));
    await batchWrite(
      doc,
      tableName,
      others.flatMap((other, index) => [
        {
          PutRequest: {
            Item: {
              ...connectionKey(other.connectionId),
              type: 'Connection',
              GSI1PK: userConnectionsIndexKey(other.username),
              GSI1SK: other.connectionId,
              ...other,
            },
          },
        },
        {
          PutRequest: {
            Item: {
              ...roomMemberKey(`other${Math.floor(index / 20)}`, other.connectionId),
              type: 'RoomMember',
              connectionId: other.connectionId,
              username: other.username,
              expiresAt,
            },
          },
        },
      ]),
    );
    const roomMessage10WithOtherRooms = await roomMessage('ten', 'alice-conn', 3);

    const { conversation } = await openConversation(
      deps,
      { userId: 'u-alice', username: 'alice', sessionId: 'capacity' },
      'bob',
    );
    const dm = await measure(() =>
      sendDirectMessage(
        deps,
        { username: 'alice', connectionId: 'alice-conn' },
        conversation.conversationId,
        {
          text: 'psst',
          clientMessageId: 'cap-dm',
        },
      ),
    );
    const historyPage = await measure(() =>
      roomHistory(
        deps,
        { userId: 'u-alice', username: 'alice', sessionId: 'capacity' },
        'ten',
        50,
        undefined,
      ),
    );
    const changes = await measureMessageChangeCapacity(
      measure,
      deps,
      'ten',
      { userId: 'u-alice', username: 'alice', sessionId: 'capacity' },
      { userId: 'u-ten-0', username: 'ten_u0', sessionId: 'capacity' },
    );
    const policy = deps.ratePolicies.message;
    const at = Date.now();
    const rateToken = await measure(() => deps.limits.take('message', 'carol', bucketStep(policy, at)));
    const rateTokenInBurst = await measure(() =>
      deps.limits.take('message', 'carol', bucketStep(policy, at)),
    );
    for (let index = 2; index < policy.burst; index++) {
      await deps.limits.take('message', 'carol', bucketStep(policy, at));
    }
    const rateRefused = await measure(() => deps.limits.take('message', 'carol', bucketStep(policy, at)));
    const read = await measureReadCapacity(measure, deps, {
      reader: 'alice',
      peer: 'bob',
      room: 'ten',
      connectionId: 'alice-conn',
      conversationId: conversation.conversationId,
    });
    const sessions = await measureSessionCapacity(measure, deps, accountDeps, {
      doc,
      tableName,
      peer: 'bob',
    });

    return {
      register: registerCapacity,
      login: loginCapacity,
      loginFailed,
      loginLockedOut,
      join: joinCapacity,
      roomMessage10,
      roomMessage100,
      roomMessage10WithOtherRooms,
      dm,
      historyPage,
      ...changes,
      rateToken,
      rateTokenInBurst,
      rateRefused,
      ...read,
      ...sessions,
    };
  } finally {
    doc.destroy();
  }
}
