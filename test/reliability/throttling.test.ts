/**
 * Throttling and a database that never answers, at handler level. DynamoDB Local cannot throttle or hang on
 * demand, so the rooms handler's real SDK client is pointed at a fake DynamoDB endpoint (test/support/faults.ts)
 * through the SDK's own `AWS_ENDPOINT_URL_DYNAMODB`: the SDK's retry strategy, backoff and error parsing run
 * for real, only the server's answers are made up. Nothing in the handler is mocked.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { issueToken } from '../../lambdas/shared/tokens.ts';
import { expectContractError } from '../support/contract.ts';
import { httpEvent, readResponse } from '../support/events.ts';
import { dynamoDbError, type FakeAnswer, startFakeDynamoDb } from '../support/faults.ts';
import { TEST_JWT_SECRET } from '../support/table.ts';

const fake = await startFakeDynamoDb();
afterAll(() => fake.close());
Object.assign(process.env, {
  TABLE_NAME: 'throttled',
  AWS_ENDPOINT_URL_DYNAMODB: fake.endpoint,
  JWT_SECRET: TEST_JWT_SECRET,
  // No gateway: nothing here posts to connections.
  WEBSOCKET_CALLBACK_URL: 'http://127.0.0.1:9',
});
const { handler } = await import('../../lambdas/handlers/rooms.ts');

const token = issueToken(
  TEST_JWT_SECRET,
  { userId: 'user-1', username: 'alice', sessionId: 'session-1' },
  600,
).token;
/** The session item of the token: every authenticated request reads it first. */
const SESSION_ITEM = {
  PK: { S: 'SESSION#session-1' },
  SK: { S: 'META' },
  sessionId: { S: 'session-1' },
  userId: { S: 'user-1' },
  username: { S: 'alice' },
  expiresAt: { N: String(Math.floor(Date.now() / 1000) + 3600) },
};
const ROOM_ITEM = {
  PK: { S: 'ROOM#general' },
  SK: { S: 'META' },
  name: { S: 'general' },
  createdBy: { S: 'alice' },
  createdAt: { S: '2026-01-01T00:00:00.000Z' },
};
const isSessionRead = (body: Record<string, unknown>) => JSON.stringify(body.Key ?? {}).includes('SESSION#');
const isMemberRead = (body: Record<string, unknown>) => JSON.stringify(body.Key ?? {}).includes('MEMBER#');
/**
 * What a healthy DynamoDB answers to the calls of a history read: the session check, the room and the caller's
 * membership (none: the room is public), the page.
 */
const healthy = (operation: string, body: Record<string, unknown>): FakeAnswer => {
  if (operation !== 'GetItem') return { status: 200, body: { Items: [], Count: 0, ScannedCount: 0 } };
  if (isMemberRead(body)) return { status: 200, body: {} };
  return { status: 200, body: { Item: isSessionRead(body) ? SESSION_ITEM : ROOM_ITEM } };
};

const readHistory = async () =>
  readResponse(
    await handler(
      httpEvent({ routeKey: 'GET /rooms/{name}/messages', pathParameters: { name: 'general' }, token }),
    ),
  );

beforeEach(() => {
  fake.requests.length = 0;
});

describe('ProvisionedThroughputExceededException', () => {
  it('is retried by the SDK with backoff, then answered 503 UNAVAILABLE', async () => {
    fake.answerWith(() =>
      dynamoDbError('ProvisionedThroughputExceededException', 'Rate of requests exceeds'),
    );

    const response = await readHistory();

    expect(response.status).toBe(503);
    expectContractError(response);
    expect(response.body.code).toBe('UNAVAILABLE');
    // Three attempts of the first GetItem (the session check), numbered by the SDK's retry strategy (maxAttempts 3).
    expect(fake.requests.map((request) => [request.operation, request.attempt])).toEqual([
      ['GetItem', 'attempt=1; max=3'],
      ['GetItem', 'attempt=2; max=3'],
      ['GetItem', 'attempt=3; max=3'],
    ]);
  });

  it('is invisible to the client when a retry succeeds', async () => {
    let throttled = 0;
    fake.answerWith((operation, body) => {
      if (operation === 'GetItem' && throttled < 2) {
        throttled++;
        return dynamoDbError('ProvisionedThroughputExceededException');
      }
      return healthy(operation, body);
    });

    const response = await readHistory();

    expect(response).toEqual({ status: 200, body: { messages: [], nextCursor: null } });
    // The session check, throttled twice, then the room and the caller's membership, and the page.
    expect(fake.requests.map((request) => request.operation)).toEqual([
      'GetItem',
      'GetItem',
      'GetItem',
      'GetItem',
      'GetItem',
      'Query',
    ]);
  });

  it('on a write (creating a room) is answered 503 too, never 409 or 500', async () => {
    // The creator's rate bucket (one UpdateItem) takes its token; the room's write is throttled.
    fake.answerWith((operation, body) => {
      if (operation === 'GetItem') return healthy(operation, body);
      if (operation === 'UpdateItem') return { status: 200, body: {} };
      return dynamoDbError('ThrottlingException');
    });

    const response = readResponse(
      await handler(httpEvent({ routeKey: 'POST /rooms', body: { name: 'busy' }, token })),
    );

    expect(response.status).toBe(503);
    expect(response.body.code).toBe('UNAVAILABLE');
    // The room and its record in the creator's partition are one transaction, tried 3 times by the SDK.
    expect(fake.requests.map((request) => request.operation)).toEqual([
      'GetItem',
      'UpdateItem',
      'TransactWriteItems',
      'TransactWriteItems',
      'TransactWriteItems',
    ]);
  });
});

describe('a DynamoDB that accepts connections and never answers', () => {
  it('is given up on after the SDK timeouts and retries: 503 well inside API Gateway’s 29 s', async () => {
    fake.answerWith(() => 'hang');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'no answer'>((resolve) => {
      timer = setTimeout(() => resolve('no answer'), 25_000);
    });

    const response = await Promise.race([readHistory(), deadline]).finally(() => clearTimeout(timer));

    expect(response, 'the handler was still waiting for DynamoDB after 25 s').not.toBe('no answer');
    expect(response).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
    // Each attempt timed out and was retried like any transient failure.
    expect(fake.requests).toHaveLength(3);
  }, 30_000);
});
