/**
 * The benchmark's world: its own DynamoDB Local, the local stack in this process against it (the code path of
 * `npm start`), and small clients to drive and seed them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import WebSocket from 'ws';
import { SessionRepository } from '../../lambdas/data/sessions.ts';
import { startSession } from '../../lambdas/domain/sessions.ts';
import { type DynamoDbLocal, localAwsSettings, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { type LocalStack, startLocalStack } from '../../lib/local/stack.ts';
import './process-environment.ts';

export interface BenchEnvironment {
  readonly stack: LocalStack;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  readonly jwtSecret: string;
  /** A document client of the bench's own (not a handler's), for seeding and reading. */
  readonly doc: DynamoDBDocumentClient;
  /** A token the stack accepts, for any identity: a session is started for it (the stack's key signs it). */
  tokenFor(username: string, userId?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and the local stack on free ports. The stack's functions run with the environment the
 * CDK stack gives them, but for what test/bench/process-environment.ts sets.
 */
export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const dynamo: DynamoDbLocal = await startDynamoDbLocal();
  const jwtSecret = randomBytes(48).toString('base64url');
  const tableName = `bench-${randomUUID().slice(0, 8)}`;
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      host: '127.0.0.1',
      port: 0,
      wsPort: 0,
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      jwtSecret,
    });
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
  const doc = documentClient(dynamo.endpoint);
  return {
    stack,
    dynamoEndpoint: dynamo.endpoint,
    tableName,
    jwtSecret,
    doc,
    tokenFor: async (username, userId = `u-${username}`) => {
      const deps = {
        sessions: new SessionRepository(doc, tableName),
        signingKey: async () => jwtSecret,
        tokenTtlSeconds: 900,
        sessionTtlSeconds: 3600,
        now: () => new Date(),
      };
      return (await startSession(deps, { userId, username })).token;
    },
    async stop() {
      doc.destroy();
      httpAgent.destroy();
      await stack.stop();
      await dynamo.stop();
    },
  };
}

/** A document client configured like the functions' (lambdas/data/client.ts), against `endpoint`. */
export function documentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, ...localAwsSettings, maxAttempts: 3 }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Runs put and delete requests with BatchWriteItem, 25 at a time, a few batches in flight, retrying leftovers. */
export async function batchWrite(
  doc: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let index = 0; index < requests.length; index += 25) batches.push(requests.slice(index, index + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let batch = batches[next++] as WriteRequest[];
      while (batch.length > 0) {
        const output = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
        batch = (output.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

export type WriteRequest =
  | { readonly PutRequest: { readonly Item: Record<string, unknown> } }
  | {
      readonly DeleteRequest: {
        readonly Key: { readonly PK: string; readonly SK: string } | Record<string, string>;
      };
    };

const httpAgent = new Agent({ keepAlive: true, maxSockets: 16 });

export interface HttpAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the benchmark reads whatever the contract returns.
  readonly body: any;
}

/** One HTTP request on a kept-alive connection, as a mobile client would send it. */
export function httpCall(
  baseUrl: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<HttpAnswer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method, headers, agent: httpAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// biome-ignore lint/suspicious/noExplicitAny: frames are whatever the server sends.
export type Frame = Record<string, any>;

/** A WebSocket client that hands each frame to whoever waits for it. */
export class BenchSocket {
  private waiters: { predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      if (this.waiters.length === 0) return;
      const frame = JSON.parse(data.toString()) as Frame;
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.predicate(frame)) return true;
        waiter.resolve(frame);
        return false;
      });
    });
  }

  static open(wsUrl: string, token: string): Promise<BenchSocket> {
    const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(token)}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new BenchSocket(ws)));
      ws.once('unexpected-response', (_, response) => {
        ws.terminate();
        reject(new Error(`WebSocket handshake refused: ${response.statusCode}`));
      });
      ws.once('error', reject);
    });
  }

  /** Sends a frame and resolves with the first frame after it that matches. */
  request(frame: unknown, predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const answer = this.next(predicate, timeoutMs);
    this.ws.send(JSON.stringify(frame));
    return answer;
  }

  next(predicate: (frame: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        reject(new Error(`no matching frame within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (frame: Frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push({ predicate, resolve: done });
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
