/**
 * Warm latency through the local stack: every HTTP route and WebSocket action, one request at a time from a real
 * client. Each HTTP route is held to the DynamoDB calls it makes: the same domain function with the same input,
 * called in-process with a plain document client (so exactly those DynamoDB calls, plus bcrypt for register and
 * login), timed in the same run; the target is a route p50 within 2x of that. Beside them, the p50 of a single
 * GetItem and PutItem against the same DynamoDB Local.
 */

import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LoginFailureRepository } from '../../lambdas/data/login-failures.ts';
import { SessionRepository } from '../../lambdas/data/sessions.ts';
import { login, me, register } from '../../lambdas/domain/accounts.ts';
import { listConversations, openConversation } from '../../lambdas/domain/conversations.ts';
import {
  conversationHistory,
  postRoomMessage,
  roomHistory,
  sendDirectMessage,
} from '../../lambdas/domain/messaging.ts';
import { createRoom, listRooms } from '../../lambdas/domain/rooms.ts';
import { messagingDeps } from '../../lambdas/handlers/deps.ts';
import { DEFAULT_BCRYPT_COST, loginLockoutPolicy } from '../../lambdas/shared/config.ts';
import { type BenchEnvironment, BenchSocket, documentClient, httpCall } from './environment.ts';
import { nowMs, percentile, round, timeRuns } from './stats.ts';

export interface RouteLatency {
  readonly p50: number;
  readonly p95: number;
  /** The DynamoDB calls of one request, in order (`Get Query` ...). */
  readonly dynamoCalls: string;
  /** HTTP routes: p50 of the same domain call made in-process (its DynamoDB calls, and bcrypt where it hashes). */
  readonly directP50?: number;
  /** HTTP routes: p50 / directP50, the target being at most 2. */
  readonly ratio?: number;
  readonly samples: number;
}

export interface LatencyResult {
  readonly http: Record<string, RouteLatency>;
  readonly webSocket: Record<string, RouteLatency>;
  /** A single GetItem and PutItem of a small item, p50, against the same DynamoDB Local. */
  readonly dynamoBaseline: {
    readonly getItemP50: number;
    readonly putItemP50: number;
    readonly samples: number;
  };
}

interface Probe {
  readonly name: string;
  readonly calls: string;
  readonly samples: number;
  /** One request through the stack, timed. */
  readonly run: (index: number) => Promise<void>;
  /** The same work in-process, timed (HTTP routes). */
  readonly direct?: (index: number) => Promise<unknown>;
  /** Untimed, after each request (to undo it). */
  readonly after?: () => Promise<void>;
}

export async function measureLatency(env: BenchEnvironment, samples: number): Promise<LatencyResult> {
  const api = env.stack.httpUrl;
  const tag = randomUUID().slice(0, 6);
  const check = (what: string, status: number, wanted: number) => {
    if (status !== wanted) throw new Error(`${what} answered ${status}, expected ${wanted}`);
  };

  // The domain with a document client of the bench's own: the calls the routes make, without the routes.
  const doc = documentClient(env.dynamoEndpoint);
  const deps = messagingDeps(
    doc,
    env.tableName,
    { post: async () => {} },
    {
      fanOutConcurrency: 32,
      warn: () => {},
      recordMetric: () => {},
    },
  );
  const accountDeps = {
    users: deps.users,
    now: () => new Date(),
    newUserId: randomUUID,
    bcryptCost: DEFAULT_BCRYPT_COST,
    signingKey: async () => env.jwtSecret,
    tokenTtlSeconds: 900,
    sessions: new SessionRepository(doc, env.tableName),
    sessionTtlSeconds: 3600,
    lockout: {
      failures: new LoginFailureRepository(doc, env.tableName),
      policy: loginLockoutPolicy(),
      now: Date.now,
      recordMetric: () => {},
    },
  };

  // Two accounts, registered and logged in through the stack, a room with history and a conversation. No
  // WebSocket is open during the HTTP routes: their posts to connections reach nobody, so that only the route's
  // own work is measured.
  const password = 'correct horse battery';
  const alice = `lat_a_${tag}`;
  const bob = `lat_b_${tag}`;
  for (const username of [alice, bob]) {
    const registered = await httpCall(api, 'POST', '/auth/register', {
      body: { username, email: `${username}@example.com`, password },
    });
    check('register', registered.status, 201);
  }
  const loggedIn = await httpCall(api, 'POST', '/auth/login', { body: { username: alice, password } });
  const token = loggedIn.body.token as string;
  const identity = { userId: loggedIn.body.user.userId as string, username: alice, sessionId: 'latency' };
  const room = `lat-${tag}`;
  check('create room', (await httpCall(api, 'POST', '/rooms', { token, body: { name: room } })).status, 201);
  for (let index = 0; index < 60; index++) {
    await httpCall(api, 'POST', `/rooms/${room}/messages`, { token, body: { text: `history ${index}` } });
  }
  const opened = await httpCall(api, 'POST', '/conversations', { token, body: { peer: bob } });
  const conversationId = opened.body.conversation.conversationId as string;
  for (let index = 0; index < 60; index++) {
    await httpCall(api, 'POST', `/conversations/${conversationId}/messages`, {
      token,
      body: { text: `dm history ${index}` },
    });
  }

  const bcryptSamples = Math.max(5, Math.ceil(samples / 10));
  const http =
    (method: 'GET' | 'POST', path: string, status: number, body?: (index: number) => unknown) =>
    async (index: number) => {
      const answer = await httpCall(api, method, path, { token, body: body?.(index) });
      check(`${method} ${path}`, answer.status, status);
    };
  const httpProbes: Probe[] = [
    {
      name: 'POST /auth/register',
      calls: 'bcrypt TransactWrite',
      samples: bcryptSamples,
      run: async (index) => {
        const username = `lat_r${index + 10}_${tag}`;
        const answer = await httpCall(api, 'POST', '/auth/register', {
          body: { username, email: `${username}@example.com`, password },
        });
        check('register', answer.status, 201);
      },
      direct: (index) =>
        register(accountDeps, {
          username: `lat_d${index + 10}_${tag}`,
          email: `lat_d${index + 10}_${tag}@example.com`,
          password,
        }),
    },
    {
      name: 'POST /auth/login',
      calls: 'Get bcrypt',
      samples: bcryptSamples,
      run: async () => {
        const answer = await httpCall(api, 'POST', '/auth/login', { body: { username: alice, password } });
        check('login', answer.status, 200);
      },
      direct: () => login(accountDeps, { username: alice, password }, '192.0.2.1'),
    },
    {
      name: 'GET /auth/me',
      calls: 'Get',
      samples,
      run: http('GET', '/auth/me', 200),
      direct: () => me(deps, identity),
    },
    {
      name: 'GET /rooms',
      calls: 'Query',
      samples,
      run: http('GET', '/rooms', 200),
      direct: () => listRooms(deps, identity, 50, undefined),
    },
    {
      name: 'POST /rooms',
      calls: 'Put',
      samples,
      run: http('POST', '/rooms', 201, (index) => ({ name: `lat-${tag}-r${index + 10}` })),
      direct: (index) => createRoom(deps, identity, { name: `lat-${tag}-d${index + 10}` }),
    },
    {
      name: 'GET /rooms/{name}/messages',
      calls: 'Get Query',
      samples,
      run: http('GET', `/rooms/${room}/messages`, 200),
      direct: () => roomHistory(deps, identity, room, 50, undefined),
    },
    {
      name: 'POST /rooms/{name}/messages',
      calls: 'Get TransactWrite Query',
      samples,
      run: http('POST', `/rooms/${room}/messages`, 201, (index) => ({
        text: `latency ${index}`,
        clientMessageId: `lat-${tag}-${index + 10}`,
      })),
      direct: (index) =>
        postRoomMessage(deps, identity, room, {
          text: `direct ${index}`,
          clientMessageId: `latd-${tag}-${index + 10}`,
        }),
    },
    {
      name: 'POST /conversations',
      calls: 'Get TransactWrite Get',
      samples,
      run: http('POST', '/conversations', 200, () => ({ peer: bob })),
      direct: () => openConversation(deps, identity, bob),
    },
    {
      name: 'GET /conversations',
      calls: 'Query',
      samples,
      run: http('GET', '/conversations', 200),
      direct: () => listConversations(deps, identity, 50, undefined),
    },
    {
      name: 'GET /conversations/{id}/messages',
      calls: 'Get Query',
      samples,
      run: http('GET', `/conversations/${conversationId}/messages`, 200),
      direct: () => conversationHistory(deps, identity, conversationId, 50, undefined),
    },
    {
      name: 'POST /conversations/{id}/messages',
      calls: 'Get TransactWrite 2×Update 2×Query',
      samples,
      run: http('POST', `/conversations/${conversationId}/messages`, 201, (index) => ({
        text: `dm ${index}`,
        clientMessageId: `latdm-${tag}-${index + 10}`,
      })),
      direct: (index) =>
        sendDirectMessage(deps, { username: alice }, conversationId, {
          text: `direct dm ${index}`,
          clientMessageId: `latdmd-${tag}-${index + 10}`,
        }),
    },
  ];

  // Then the WebSocket actions, alice with bob in the room and in the conversation.
  const handshakes: BenchSocket[] = [];
  const sockets: BenchSocket[] = [];
  const webSocketProbes: Probe[] = [
    {
      name: '$connect',
      calls: 'Put',
      samples: Math.max(5, Math.ceil(samples / 4)),
      run: async () => {
        handshakes.push(await BenchSocket.open(env.stack.wsUrl, token));
      },
      after: async () => {
        await handshakes.pop()?.close();
        // Let its $disconnect finish before the next handshake.
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
    },
    {
      name: 'join',
      calls: 'Get+Get TransactWrite Query',
      samples,
      run: async () => {
        await sockets[0]?.request({ action: 'join', room }, (frame) => frame.type === 'joined');
      },
    },
    {
      name: 'leave',
      calls: 'Get TransactWrite',
      samples,
      run: async () => {
        await sockets[0]?.request({ action: 'leave', room }, (frame) => frame.type === 'left');
      },
      after: async () => {
        await sockets[0]?.request({ action: 'join', room }, (frame) => frame.type === 'joined');
      },
    },
    {
      name: 'message (room of 2)',
      calls: 'Query TransactWrite',
      samples,
      run: async (index) => {
        const clientMessageId = `latws-${tag}-${index + 10}`;
        await sockets[0]?.request(
          { action: 'message', room, text: `ws ${index}`, clientMessageId },
          (frame) => frame.type === 'ack' && frame.clientMessageId === clientMessageId,
        );
      },
    },
    {
      name: 'message (DM)',
      calls: 'Get Get TransactWrite 2×Update',
      samples,
      run: async (index) => {
        const clientMessageId = `latwsdm-${tag}-${index + 10}`;
        await sockets[0]?.request(
          { action: 'message', conversationId, text: `ws dm ${index}`, clientMessageId },
          (frame) => frame.type === 'ack' && frame.clientMessageId === clientMessageId,
        );
      },
    },
    {
      name: 'ping',
      calls: '-',
      samples,
      run: async () => {
        await sockets[0]?.request({ action: 'ping' }, (frame) => frame.type === 'pong');
      },
    },
  ];

  const baselineKey = { PK: `BENCH#${tag}`, SK: 'BASELINE' };
  const item = { ...baselineKey, type: 'Bench', text: 'a small item, like a user or a message', n: 1 };
  const gets: number[] = [];
  const puts: number[] = [];
  const baselineRound = async () => {
    puts.push(
      ...(await timeRuns(samples, async (index) => {
        await doc.send(new PutCommand({ TableName: env.tableName, Item: { ...item, n: index } }));
      })),
    );
    gets.push(
      ...(await timeRuns(samples, async () => {
        await doc.send(new GetCommand({ TableName: env.tableName, Key: baselineKey }));
      })),
    );
  };

  // Single calls, then each route and its in-process twin in turn, the WebSocket actions, the single calls again.
  const measured = new Map<string, { route: number[]; direct: number[] }>();
  try {
    await baselineRound();
    for (const probe of httpProbes) measured.set(probe.name, await timeProbe(probe));
    sockets.push(await BenchSocket.open(env.stack.wsUrl, token));
    sockets.push(await BenchSocket.open(env.stack.wsUrl, await env.tokenFor(bob)));
    for (const socket of sockets)
      await socket.request({ action: 'join', room }, (frame) => frame.type === 'joined');
    for (const probe of webSocketProbes) measured.set(probe.name, await timeProbe(probe));
    await baselineRound();
  } finally {
    await Promise.all([...sockets, ...handshakes].map((socket) => socket.close()));
    doc.destroy();
  }

  const summarize = (probes: Probe[]) =>
    Object.fromEntries(
      probes.map((probe) => {
        const { route, direct } = measured.get(probe.name) as { route: number[]; direct: number[] };
        const p50 = percentile(route, 50);
        const row: RouteLatency = {
          p50: round(p50, 2),
          p95: round(percentile(route, 95), 2),
          dynamoCalls: probe.calls,
          samples: route.length,
        };
        if (direct.length === 0) return [probe.name, row];
        const directP50 = percentile(direct, 50);
        return [probe.name, { ...row, directP50: round(directP50, 2), ratio: round(p50 / directP50, 2) }];
      }),
    );
  return {
    http: summarize(httpProbes),
    webSocket: summarize(webSocketProbes),
    dynamoBaseline: {
      getItemP50: round(percentile(gets, 50), 2),
      putItemP50: round(percentile(puts, 50), 2),
      samples: gets.length,
    },
  };
}

/**
 * Two untimed warm-up rounds, then `samples` timed ones. Each round times the request through the stack, then
 * (HTTP routes) the same work in-process, so that drift hits both alike; the probe's `after` runs untimed.
 */
async function timeProbe(probe: Probe): Promise<{ route: number[]; direct: number[] }> {
  const route: number[] = [];
  const direct: number[] = [];
  for (let index = -2; index < probe.samples; index++) {
    let started = nowMs();
    await probe.run(index);
    if (index >= 0) route.push(nowMs() - started);
    await probe.after?.();
    if (probe.direct !== undefined) {
      started = nowMs();
      await probe.direct(index);
      if (index >= 0) direct.push(nowMs() - started);
    }
  }
  return { route, direct };
}
