/**
 * What a push adds to a message, and how fast it arrives (issue 15). Against the local stack: a recipient with two
 * registered devices and no open connection is sent direct messages, and a room message mentions them; their
 * pushes reach the local sink through the table's stream, the emulated event source mapping and the notifier.
 *
 * - Latency: from just before the send request to the push's arrival in the sink (`sentAt`, this process's
 *   clock), for every push. Messages are sent at uneven spacing (50–150 ms) so that they land anywhere in the
 *   mapping's poll interval, which bounds the figure from below on average (half an interval) and above (one).
 * - Stream reads and invocations: counted by the emulated mapping (lib/local/stream-mapping.ts) over the run.
 * - The notifier's DynamoDB capacity: its domain function (`notifyMessage`) runs in-process on the same table
 *   with `ReturnConsumedCapacity` on every call (test/bench/capacity.ts), with copies of the stored messages under
 *   fresh ids so that their push markers are new; a provider that counts stands in for SNS (one Publish per push).
 */
import { randomUUID } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { ConversationRepository } from '../../lambdas/data/conversations.ts';
import { DeviceRepository } from '../../lambdas/data/devices.ts';
import { type Message, MessageRepository } from '../../lambdas/data/messages.ts';
import { PushRepository } from '../../lambdas/data/push.ts';
import { notifyMessage } from '../../lambdas/domain/notifier.ts';
import type { PushProvider } from '../../lambdas/domain/push-providers.ts';
import { unreadTotal } from '../../lambdas/domain/read-state.ts';
import { PUSH_SINK_PATH } from '../../lib/local/push-sink.ts';
import { notifier } from '../../lib/notifier.ts';
import { type CapacityCall, capacityRecordingClient, describeCalls } from './capacity.ts';
import { type BenchEnvironment, BenchSocket, type HttpAnswer, httpCall } from './environment.ts';
import { percentile, round } from './stats.ts';

/**
 * Published list prices, us-east-1, on-demand, beyond the free tiers (checked November 2026). Stream reads by a
 * Lambda event source mapping cost nothing: "GetRecords API calls invoked by AWS Lambda as part of DynamoDB
 * triggers are free" (DynamoDB pricing, DynamoDB Streams). A push is one SNS Publish request to a platform
 * endpoint and one mobile push delivery.
 */
export const PUSH_PRICES = {
  region: 'us-east-1',
  date: '2026-11',
  sources: [
    'https://aws.amazon.com/lambda/pricing/',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'https://aws.amazon.com/sns/pricing/',
    'https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html',
  ],
  lambdaRequestsPerMillion: 0.2,
  /** Arm (lib/constructs/chat-function.ts), per GB-second. */
  lambdaArmGbSecond: 0.0000133334,
  dynamoWriteRequestUnitsPerMillion: 0.625,
  dynamoReadRequestUnitsPerMillion: 0.125,
  /** DynamoDB Streams GetRecords made by a Lambda event source mapping. */
  streamReadsByLambdaPerMillion: 0,
  snsRequestsPerMillion: 0.5,
  snsMobilePushDeliveriesPerMillion: 0.5,
} as const;

/** The notifier's memory (every function is a ChatFunction of 512 MB). */
const MEMORY_GB = 512 / 1024;

export interface NotifierCapacity {
  readonly read: number;
  readonly write: number;
  /** SNS Publish requests (one per push). */
  readonly publishes: number;
  readonly calls: string;
}

export interface PushResult {
  readonly messages: number;
  readonly devicesPerRecipient: number;
  /** The emulated mapping's poll interval, and Lambda's (4 polls a second per shard). */
  readonly pollIntervalMs: number;
  /** Send request to push in the sink, over every push of every message (direct messages and mentions). */
  readonly latencyMs: { p50: number; p95: number; max: number; pushes: number };
  readonly stream: {
    readonly getRecordsCalls: number;
    readonly getRecordsPerSecond: number;
    readonly recordsRead: number;
    /** Every change to the table reaches the stream; only new message items pass the mapping's filter. */
    readonly recordsReadPerMessage: number;
    readonly recordsMatchedPerMessage: number;
    readonly invocationsPerMessage: number;
    /** Mean duration of a notifier invocation here (its batch's DynamoDB calls and posts to the sink). */
    readonly invocationMeanMs: number;
    /** The notifier's time per message: every invocation's duration over the messages. */
    readonly notifierMsPerMessage: number;
  };
  /** What the notifier reads and writes per message, by case. */
  readonly capacity: {
    readonly dmOffline: NotifierCapacity;
    readonly dmRedelivered: NotifierCapacity;
    readonly dmConnected: NotifierCapacity;
    readonly roomMention: NotifierCapacity;
    readonly roomNoMention: NotifierCapacity;
  };
  /** USD per million direct messages to a recipient with no open connection, and to one who is connected. */
  readonly costPerMillion: { readonly dmOffline: PushCost; readonly dmConnected: PushCost };
  readonly prices: typeof PUSH_PRICES;
}

export interface PushCost {
  readonly lambda: number;
  readonly dynamodb: number;
  readonly sns: number;
  readonly streamReads: number;
  readonly total: number;
  readonly assumptions: { invocationsPerMessage: number; billedMs: number };
}

export async function measurePush(
  env: BenchEnvironment,
  options: { messages: number; mentions: number },
): Promise<PushResult> {
  const api = env.stack.httpUrl;
  const tag = randomUUID().slice(0, 6);
  const check = (what: string, answer: HttpAnswer, ...expected: number[]) => {
    if (!expected.includes(answer.status)) {
      throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer;
  };
  const password = 'correct horse battery';
  const users: Record<
    'sender' | 'recipient' | 'online',
    { username: string; token: string; userId: string }
  > = {} as never;
  for (const role of ['sender', 'recipient', 'online'] as const) {
    const username = `push_${role.slice(0, 3)}_${tag}`;
    check(
      'register',
      await httpCall(api, 'POST', '/auth/register', {
        body: { username, email: `${username}@example.com`, password },
      }),
      201,
    );
    const login = check(
      'login',
      await httpCall(api, 'POST', '/auth/login', { body: { username, password } }),
      200,
    );
    users[role] = { username, token: login.body.token, userId: login.body.user.userId };
  }
  const { sender, recipient, online } = users;
  const devices = ['ios-phone', 'android-tablet'];
  for (const deviceId of devices) {
    const platform = deviceId.startsWith('ios') ? 'apns' : 'fcm';
    check(
      'register device',
      await httpCall(api, 'PUT', `/me/devices/${deviceId}`, {
        token: recipient.token,
        body: { platform, token: `${platform}-${randomUUID()}` },
      }),
      204,
    );
  }
  check(
    'register device',
    await httpCall(api, 'PUT', '/me/devices/ios-online', {
      token: online.token,
      body: { platform: 'apns', token: `apns-${randomUUID()}` },
    }),
    204,
  );
  const conversationWith = async (peer: string) =>
    check(
      'open conversation',
      await httpCall(api, 'POST', '/conversations', { token: sender.token, body: { peer } }),
      201,
    ).body.conversation.conversationId as string;
  const toRecipient = await conversationWith(recipient.username);
  const toOnline = await conversationWith(online.username);
  const room = `push-${tag}`;
  check(
    'create room',
    await httpCall(api, 'POST', '/rooms', { token: sender.token, body: { name: room } }),
    201,
  );
  check(
    'join room',
    await httpCall(api, 'POST', `/rooms/${room}/members`, { token: recipient.token }),
    200,
    201,
    204,
  );
  // The set-up's own records are read and passed over before counting starts.
  const { stream, pollIntervalMs } = env.stack.notifier;
  await sleep(3 * pollIntervalMs);
  const before = { ...stream };
  const startedAt = Date.now();
  const sent = new Map<string, number>();
  const sendTimed = async (path: string, text: string) => {
    for (;;) {
      const at = Date.now();
      const answer = await httpCall(api, 'POST', path, { token: sender.token, body: { text } });
      // The sender's message rate (5 a second, bursts of 20) is kept below; should a burst still run out,
      // the message is sent again when the gateway says, and timed from then.
      if (answer.status === 429) {
        await sleep(answer.body.retryAfterMs);
        continue;
      }
      const message = check('send', answer, 201).body.message as Message;
      sent.set(message.messageId, at);
      // Uneven spacing, 5 messages a second on average: the sends land anywhere in the mapping's poll interval.
      await sleep(150 + Math.random() * 100);
      return message;
    }
  };
  let lastDm: Message | undefined;
  for (let index = 0; index < options.messages; index++) {
    lastDm = await sendTimed(`/conversations/${toRecipient}/messages`, `push bench ${index}`);
  }
  let lastMention: Message | undefined;
  for (let index = 0; index < options.mentions; index++) {
    lastMention = await sendTimed(`/rooms/${room}/messages`, `@${recipient.username} look at this ${index}`);
  }
  if (lastDm === undefined || lastMention === undefined) throw new Error('nothing was sent');

  // Every message's pushes, one per device, in the sink.
  const expected = sent.size * devices.length;
  const deadline = Date.now() + 30_000;
  let arrivals: number[] = [];
  for (;;) {
    const listed = check('list pushes', await httpCall(api, 'GET', PUSH_SINK_PATH), 200).body as {
      payload: { messageId: string };
      sentAt: string;
    }[];
    arrivals = listed
      .filter((push) => sent.has(push.payload.messageId))
      .map((push) => Date.parse(push.sentAt) - (sent.get(push.payload.messageId) as number));
    if (arrivals.length >= expected) break;
    if (Date.now() > deadline) throw new Error(`only ${arrivals.length} of ${expected} pushes arrived`);
    await sleep(100);
  }
  const elapsedSeconds = (Date.now() - startedAt) / 1000;
  const after = { ...stream };
  const delta = <K extends keyof typeof before>(key: K) => after[key] - before[key];

  // The notifier's capacity, in-process, on copies of what was sent.
  const { doc, calls } = capacityRecordingClient(env.dynamoEndpoint);
  let publishes = 0;
  const counting: PushProvider = {
    send: async () => {
      publishes++;
      return 'sent';
    },
  };
  const deps = {
    push: new PushRepository(doc, env.tableName),
    devices: new DeviceRepository(doc, env.tableName),
    provider: counting,
    now: () => new Date(),
    warn: () => {},
    badge: (username: string, conversationId: string | undefined) =>
      unreadTotal(
        {
          conversations: new ConversationRepository(doc, env.tableName),
          messages: new MessageRepository(doc, env.tableName),
        },
        username,
        conversationId,
      ),
  };
  const newId = monotonicFactory();
  const measure = async (message: Message): Promise<NotifierCapacity> => {
    calls.length = 0;
    publishes = 0;
    await notifyMessage(deps, message);
    return summed(calls, publishes);
  };
  const socket = await BenchSocket.open(env.stack.wsUrl, await env.tokenFor(online.username, online.userId));
  let capacity: PushResult['capacity'];
  try {
    const offline = { ...lastDm, messageId: newId() };
    const dmOffline = await measure(offline);
    const dmRedelivered = await measure(offline);
    const toConnected = { ...lastDm, conversationId: toOnline, messageId: newId() };
    const dmConnected = await measure(toConnected);
    const roomMention = await measure({ ...lastMention, messageId: newId() });
    const roomNoMention = await measure({ ...lastMention, text: 'no one named', messageId: newId() });
    capacity = { dmOffline, dmRedelivered, dmConnected, roomMention, roomNoMention };
  } finally {
    await socket.close();
    doc.destroy();
  }

  const messages = sent.size;
  const invocationMeanMs = delta('invocationMs') / Math.max(1, delta('invocations'));
  const msPerMessage = delta('invocationMs') / messages;
  return {
    messages,
    devicesPerRecipient: devices.length,
    pollIntervalMs,
    latencyMs: {
      p50: round(percentile(arrivals, 50)),
      p95: round(percentile(arrivals, 95)),
      max: round(Math.max(...arrivals)),
      pushes: arrivals.length,
    },
    stream: {
      getRecordsCalls: delta('getRecordsCalls'),
      getRecordsPerSecond: round(delta('getRecordsCalls') / elapsedSeconds),
      recordsRead: delta('recordsRead'),
      recordsReadPerMessage: round(delta('recordsRead') / messages, 2),
      recordsMatchedPerMessage: round(delta('recordsMatched') / messages, 2),
      invocationsPerMessage: round(delta('invocations') / messages, 2),
      invocationMeanMs: round(invocationMeanMs),
      notifierMsPerMessage: round(msPerMessage),
    },
    capacity,
    costPerMillion: {
      dmOffline: pushCost(capacity.dmOffline, msPerMessage),
      dmConnected: pushCost(capacity.dmConnected, msPerMessage),
    },
    prices: PUSH_PRICES,
  };
}

function summed(calls: readonly CapacityCall[], publishes: number): NotifierCapacity {
  return {
    read: round(
      calls.reduce((sum, call) => sum + call.read, 0),
      2,
    ),
    write: round(
      calls.reduce((sum, call) => sum + call.write, 0),
      2,
    ),
    publishes,
    calls: describeCalls(calls),
  };
}

/**
 * USD per million messages of one case. One invocation request per message: the most there can be (a message
 * alone in its batch, as at low traffic; batches of up to `notifier.batchSize` share one at busier times). The
 * duration billed is the notifier's measured time per message of pushing direct messages (an upper bound for a
 * message that pushes nothing).
 */
function pushCost(capacity: NotifierCapacity, msPerMessage: number): PushCost {
  const p = PUSH_PRICES;
  const invocationsPerMessage = 1;
  const billedMs = Math.ceil(msPerMessage);
  const lambda =
    invocationsPerMessage * p.lambdaRequestsPerMillion +
    1e6 * MEMORY_GB * (billedMs / 1000) * p.lambdaArmGbSecond;
  const dynamodb =
    capacity.read * p.dynamoReadRequestUnitsPerMillion + capacity.write * p.dynamoWriteRequestUnitsPerMillion;
  const sns = capacity.publishes * (p.snsRequestsPerMillion + p.snsMobilePushDeliveriesPerMillion);
  return {
    lambda: round(lambda, 2),
    dynamodb: round(dynamodb, 2),
    sns: round(sns, 2),
    streamReads: 0,
    total: round(lambda + dynamodb + sns, 2),
    assumptions: { invocationsPerMessage, billedMs },
  };
}

/** The batch size the mapping invokes the notifier with (lib/notifier.ts), for the report. */
export const NOTIFIER_BATCH_SIZE = notifier.batchSize;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
