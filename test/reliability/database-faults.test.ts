/**
 * DynamoDB Local stopped in the middle of traffic, then started again, then the whole local stack restarted
 * with its data directory. The stack here runs on a DynamoDB Local of its own (not the run's shared one), so
 * that the outage touches no other test.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../lib/local/stack.ts';
import { expectContractError, expectErrorFrame } from '../support/contract.ts';
import { freePort, type RestartableDynamoDb, startRestartableDynamoDb } from '../support/faults.ts';
import { apiClient, JSON_BODY, type Json, type RawResponse, rawRequest } from '../support/http-client.ts';
import { spawnLocalStack } from '../support/local-process.ts';
import { realtimeHarness } from '../support/realtime.ts';
import { eventually, type Frame, sleep, TestSocket } from '../support/ws-client.ts';

/** API Gateway gives up on an integration after 29-30 s; an answer must come well before. */
const PROMPT_MS = 25_000;
const tableName = 'chat-faults';
const dataDir = await mkdtemp(join(tmpdir(), 'chat-faults-'));
const dynamo: RestartableDynamoDb = await startRestartableDynamoDb(dataDir);
// The JWT key is generated and kept in the data directory, as `npm start -- --data DIR` does.
const stack: LocalStack = await startLocalStack({
  host: '127.0.0.1',
  port: 0,
  wsPort: 0,
  dynamoEndpoint: dynamo.endpoint,
  dataDir,
  tableName,
});
const { api, connect, join: joinRoom, closeSockets } = realtimeHarness(stack, { socketsLast: 'file' });
let child: ChildProcess | undefined;
let stackStopped = false;

afterAll(async () => {
  if (!stackStopped) await stack.stop();
  await dynamo.stop();
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const [alice, bob] = await api.signUpEach('alice', 'bob');
const room = await api.newRoom(alice, 'faults');
const aliceSocket = await connect(alice);
const bobSocket = await connect(bob);
for (const socket of [aliceSocket, bobSocket]) await joinRoom(socket, room);

/** Every message acknowledged (WS ack or HTTP 201/200), by clientMessageId. */
const acknowledged = new Map<string, string>();
/** clientMessageIds that were refused (error frame or 503): they may be retried. */
const refused = new Set<string>();
let sequence = 0;

/** Sends one message over the socket and waits for its ack or error frame, at most PROMPT_MS. */
async function messageOverSocket(socket: TestSocket, clientMessageId = `ws-${++sequence}`): Promise<Frame> {
  const reply = await socket.sendAndAwait(
    { action: 'message', room, text: `message ${clientMessageId}`, clientMessageId },
    (frame) => frame.clientMessageId === clientMessageId && (frame.type === 'ack' || frame.type === 'error'),
    PROMPT_MS,
  );
  if (reply.type === 'ack') {
    acknowledged.set(clientMessageId, reply.messageId);
    refused.delete(clientMessageId);
  } else {
    expectErrorFrame(reply, clientMessageId);
    refused.add(clientMessageId);
  }
  return reply;
}

async function messageOverHttp(clientMessageId = `http-${++sequence}`): Promise<RawResponse> {
  const response = await rawRequest(stack.httpUrl, {
    method: 'POST',
    path: `/rooms/${room}/messages`,
    token: alice.token,
    headers: JSON_BODY,
    body: JSON.stringify({ text: `message ${clientMessageId}`, clientMessageId }),
    timeoutMs: PROMPT_MS,
  });
  if (response.status === 201 || response.status === 200) {
    acknowledged.set(clientMessageId, response.body.message.messageId);
    refused.delete(clientMessageId);
  } else {
    refused.add(clientMessageId);
  }
  return response;
}

/** The room's whole history, every page, oldest first. */
async function history(baseUrl: string, token: string): Promise<Json[]> {
  const client = apiClient(baseUrl);
  const pages: Json[][] = [];
  let before: string | null = null;
  do {
    const query: string = before === null ? '' : `&before=${before}`;
    const page = await client.call('GET', `/rooms/${room}/messages?limit=100${query}`, { token });
    expect(page.status).toBe(200);
    pages.unshift(page.body.messages);
    before = page.body.nextCursor;
  } while (before !== null);
  return pages.flat();
}

/** Every acknowledged message is in the history exactly once, and no clientMessageId is stored twice. */
function expectEveryAcknowledgedOnce(messages: Json[]): void {
  const ids = messages.map((message) => message.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  const clientIds = messages.map((message) => message.clientMessageId);
  expect(new Set(clientIds).size).toBe(clientIds.length);
  for (const [clientMessageId, messageId] of acknowledged) {
    expect(ids, clientMessageId).toContain(messageId);
  }
}

describe('DynamoDB Local stopped in the middle of traffic', () => {
  it('acknowledges messages while the database is up', async () => {
    for (let i = 0; i < 4; i++) expect((await messageOverSocket(aliceSocket)).type).toBe('ack');
    for (let i = 0; i < 3; i++) expect((await messageOverHttp()).status).toBe(201);
    await eventually(() => bobSocket.ofType('message').length === 7);
  });

  it('answers every request in flight promptly: acknowledged, or 503 UNAVAILABLE / an error frame', async () => {
    let stopped = false;
    const httpStatuses: number[] = [];
    const frames: Frame[] = [];
    const afterStop = { http: 0, ws: 0 };
    const httpTraffic = (async () => {
      while (afterStop.http < 4) {
        const response = await messageOverHttp();
        httpStatuses.push(response.status);
        if (response.status !== 201) expectContractError(response, 'POST during the outage');
        if (stopped) afterStop.http++;
      }
    })();
    const socketTraffic = (async () => {
      while (afterStop.ws < 4) {
        frames.push(await messageOverSocket(aliceSocket));
        if (stopped) afterStop.ws++;
      }
    })();

    await sleep(300);
    await dynamo.stop();
    stopped = true;
    await Promise.all([httpTraffic, socketTraffic]);

    expect(httpStatuses.every((status) => status === 201 || status === 503)).toBe(true);
    expect(httpStatuses.at(-1)).toBe(503);
    expect(frames.at(-1)).toMatchObject({ type: 'error', code: 'UNAVAILABLE' });
  }, 120_000);

  it.each([
    ['GET', '/rooms/{room}/messages', undefined],
    ['POST', '/rooms', { name: 'during-outage' }],
    ['GET', '/rooms', undefined],
    ['GET', '/auth/me', undefined],
    ['POST', '/auth/login', { username: alice.username, password: 'correct horse battery' }],
    [
      'POST',
      '/auth/register',
      { username: 'newcomer', email: 'new@example.com', password: 'correct horse battery' },
    ],
    ['GET', '/conversations', undefined],
    ['POST', '/conversations', { peer: bob.username }],
  ])(
    '%s %s answers 503 UNAVAILABLE with the contract body, not 500 and not a hang',
    async (method, path, body) => {
      const response = await rawRequest(stack.httpUrl, {
        method,
        path: path.replace('{room}', room),
        token: alice.token,
        headers: JSON_BODY,
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: PROMPT_MS,
      });

      expect(response.status).toBe(503);
      expectContractError(response);
      expect(response.body.code).toBe('UNAVAILABLE');
    },
  );

  it('answers frames with an error frame, keeps the socket open, and refuses new handshakes with a 5xx', async () => {
    const message = await messageOverSocket(aliceSocket);
    const join = await aliceSocket.request({ action: 'join', room: 'another-room' }, 'joined');
    const pong = await aliceSocket.request({ action: 'ping' }, 'pong');
    const handshake = TestSocket.open(stack.wsUrl, { token: alice.token });

    expect(message).toMatchObject({
      type: 'error',
      code: 'UNAVAILABLE',
      clientMessageId: message.clientMessageId,
    });
    expectErrorFrame(join);
    expect(pong).toEqual({ type: 'pong' });
    expect(aliceSocket.closeCode).toBeUndefined();
    const refusal = await handshake.then(
      () => ({ status: 101 }),
      (error: { status?: number }) => error,
    );
    expect(refusal.status).toBeGreaterThanOrEqual(500);
  });
});

describe('DynamoDB Local back on the same port with the same data', () => {
  it('serves HTTP again, on the same clients', async () => {
    await dynamo.start();

    await eventually(
      async () => (await api.call('GET', '/auth/me', { token: alice.token })).status === 200,
      20_000,
    );
    expect((await api.call('GET', '/rooms', { token: bob.token })).status).toBe(200);
  }, 60_000);

  it('serves the socket that stayed open, and new handshakes', async () => {
    const reply = await messageOverSocket(aliceSocket);
    expect(reply.type).toBe('ack');
    await bobSocket.next((frame) => frame.type === 'message' && frame.messageId === reply.messageId);

    const fresh = await connect(bob);
    expect(await fresh.request({ action: 'ping' }, 'pong')).toEqual({ type: 'pong' });
    expect((await fresh.request({ action: 'join', room }, 'joined')).type).toBe('joined');
  });

  it('stores each refused message once when it is retried with its clientMessageId', async () => {
    expect(refused.size).toBeGreaterThan(0);
    for (const clientMessageId of [...refused]) {
      if (clientMessageId.startsWith('ws-'))
        expect((await messageOverSocket(aliceSocket, clientMessageId)).type).toBe('ack');
      else expect([200, 201]).toContain((await messageOverHttp(clientMessageId)).status);
    }

    expect(refused.size).toBe(0);
    expectEveryAcknowledgedOnce(await history(stack.httpUrl, bob.token));
  });
});

describe('a restart of the whole local stack with its data directory', () => {
  it('keeps every message acknowledged before, during and after the fault, and the tokens', async () => {
    const before = acknowledged.size;
    await closeSockets();
    await stack.stop();
    stackStopped = true;
    await dynamo.stop();

    const [port, wsPort] = [await freePort(), await freePort()];
    const restarted = spawnLocalStack(['--data', dataDir], {
      env: { PORT: String(port), WS_PORT: String(wsPort), TABLE_NAME: tableName },
    });
    child = restarted.child;
    const output = restarted.output;
    await eventually(() => output().includes('Chat backend running locally'), 45_000).catch(() => {
      throw new Error(`the restarted stack did not start: ${output()}`);
    });

    const messages = await history(`http://127.0.0.1:${port}`, alice.token);

    expect(acknowledged.size).toBe(before);
    expect(messages.length).toBeGreaterThanOrEqual(acknowledged.size);
    expectEveryAcknowledgedOnce(messages);
  }, 90_000);
});
