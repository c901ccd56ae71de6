/**
 * Fault injection for the reliability tests: a DynamoDB Local that can be stopped and started again on the
 * same port with the same data (an outage and its recovery, as the handlers' SDK clients see it), and a fake
 * DynamoDB endpoint for the faults DynamoDB Local cannot produce (throttling, a server that never answers).
 */
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { type DynamoDbLocal, freePort, startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';

export { freePort };

/** DynamoDB Local on a fixed port and data directory, which a test can take down and bring back. */
export interface RestartableDynamoDb {
  readonly endpoint: string;
  /** Stops the Java process (an outage: connections refused). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
}

export async function startRestartableDynamoDb(dataDir: string): Promise<RestartableDynamoDb> {
  const port = await freePort();
  let current: DynamoDbLocal | undefined = await startDynamoDbLocal({ port, dataDir });
  return {
    endpoint: current.endpoint,
    async stop() {
      await current?.stop();
      current = undefined;
    },
    async start() {
      current ??= await startDynamoDbLocal({ port, dataDir });
    },
  };
}

/** What the fake endpoint does with one request: answer it, or never answer. */
export type FakeAnswer = { status: number; body: unknown } | 'hang';

export interface FakeDynamoDb {
  readonly endpoint: string;
  /**
   * Every request received: its `X-Amz-Target` operation (e.g. `GetItem`), when it arrived, and the SDK's
   * `amz-sdk-request` header (`attempt=2; max=3`), which numbers the SDK's own retries.
   */
  readonly requests: { operation: string; at: number; attempt: string }[];
  /** Replaces how requests are answered. */
  answerWith(answer: (operation: string, body: Record<string, unknown>) => FakeAnswer): void;
  close(): Promise<void>;
}

/** The error body DynamoDB sends for an exception, which the SDK deserialises into the named error. */
export function dynamoDbError(name: string, message = name): FakeAnswer {
  return { status: 400, body: { __type: `com.amazonaws.dynamodb.v20120810#${name}`, message } };
}

/**
 * A fake DynamoDB endpoint speaking the JSON 1.0 protocol. The handlers' real SDK client (its retry strategy,
 * backoff and error parsing included) talks to it, so only the server's answers are fake.
 */
export async function startFakeDynamoDb(): Promise<FakeDynamoDb> {
  const requests: { operation: string; at: number; attempt: string }[] = [];
  let answer: (operation: string, body: Record<string, unknown>) => FakeAnswer = () => ({
    status: 200,
    body: {},
  });
  const hanging = new Set<IncomingMessage>();
  const server = createHttpServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace('DynamoDB_20120810.', '');
      requests.push({ operation, at: Date.now(), attempt: String(request.headers['amz-sdk-request'] ?? '') });
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        // An empty or odd body is answered all the same.
      }
      const decided = answer(operation, body);
      if (decided === 'hang') {
        hanging.add(request);
        return;
      }
      response.writeHead(decided.status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(decided.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('fake DynamoDB has no address');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    requests,
    answerWith(next) {
      answer = next;
    },
    close() {
      for (const request of hanging) request.socket.destroy();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
