/**
 * Shared pieces of the reliability tests: a raw HTTP client that sends paths exactly as given (fetch would
 * normalise `..` and re-encode), the contract's error shapes, and a read-only look at the table.
 */
import { request } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import type { Json } from '../support/http-client.ts';
import type { Frame } from '../support/ws-client.ts';

/** Every error code PROTOCOL.md gives the HTTP API, with its status. */
export const HTTP_ERROR_STATUS: Readonly<Record<string, number>> = {
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  ROOM_NOT_FOUND: 404,
  CONVERSATION_NOT_FOUND: 404,
  ACCOUNT_EXISTS: 409,
  ROOM_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};

/** Every error code PROTOCOL.md gives the WebSocket API. */
const SOCKET_ERROR_CODES = new Set([
  'INVALID_MESSAGE',
  'UNKNOWN_ACTION',
  'ROOM_NOT_FOUND',
  'NOT_IN_ROOM',
  'CONVERSATION_NOT_FOUND',
  'INTERNAL',
]);

export interface RawResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly text: string;
  /** The parsed body, or undefined when it is not JSON. */
  readonly body: Json;
}

/**
 * One HTTP request with the path sent byte for byte as given (no URL normalisation), any headers, and a raw
 * body. Fails only when no response arrives within `timeoutMs`.
 */
export function rawRequest(
  baseUrl: string,
  options: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    timeoutMs?: number;
  },
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: options.method,
        path: options.path,
        headers: options.headers,
        timeout: options.timeoutMs ?? 25_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Json;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'],
            text,
            body,
          });
        });
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no response within ${options.timeoutMs ?? 25_000} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Asserts the contract's error body: exactly `{code, message}` (+ `details: [{field, problem}]` for
 * validation), a known code whose status is the response's, and nothing that looks like a leak.
 */
export function expectContractError(
  response: RawResponse | { status: number; body: Json },
  context = '',
): void {
  const where = `${context} -> ${response.status} ${JSON.stringify(response.body)}`.slice(0, 600);
  expect(response.body, where).toBeTypeOf('object');
  const { code, message, details, ...rest } = response.body as Record<string, unknown>;
  expect(rest, where).toEqual({});
  expect(code, where).toBeTypeOf('string');
  expect(HTTP_ERROR_STATUS[code as string], where).toBe(response.status);
  expect(message, where).toBeTypeOf('string');
  expect(message, where).not.toBe('');
  if (details !== undefined) {
    expect(code, where).toBe('VALIDATION_FAILED');
    expect(Array.isArray(details), where).toBe(true);
    for (const detail of details as unknown[]) {
      expect(detail, where).toEqual({ field: expect.any(String), problem: expect.any(String) });
    }
  }
  expectNoLeak(JSON.stringify(response.body), where);
}

/** An error frame: `{type:"error", code, message, action?, clientMessageId?}` with a contract code. */
export function expectErrorFrame(frame: Frame, context = ''): void {
  const where = `${context} -> ${JSON.stringify(frame)}`.slice(0, 600);
  const { type, code, message, action, clientMessageId, ...rest } = frame;
  expect(type, where).toBe('error');
  expect(rest, where).toEqual({});
  expect(SOCKET_ERROR_CODES.has(code), where).toBe(true);
  expect(message, where).toBeTypeOf('string');
  if (action !== undefined) expect(action, where).toBeTypeOf('string');
  if (clientMessageId !== undefined) expect(clientMessageId, where).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  // Only the server's own text: `action` echoes whatever the client sent.
  expectNoLeak(String(message), where);
}

/** Stack traces, SDK error names and key attribute names never reach a client (case matters: rooms are lower). */
export function expectNoLeak(text: string, where = ''): void {
  expect(text, where).not.toMatch(/\n\s+at |Exception|ECONN|DynamoDB|TableName|\bPK\b|\bSK\b|GSI1/);
}

/** A document client for reading the table directly (what the tests assert on, never what they act with). */
export function tableReader(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, ...localAwsSettings }));
}

/** Every item of the table (small test tables only). */
export async function scanAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, Json>[]> {
  const items: Record<string, Json>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

const ULID = '[0-9A-HJKMNP-TV-Z]{26}';
const USERNAME = '[a-z0-9_.-]{3,32}';
const ROOM = '[a-z0-9][a-z0-9_-]{0,63}';
const CONVERSATION = 'c_[A-Za-z0-9_-]{22}';
const CONNECTION = '[A-Za-z0-9_=+/-]+';
const CLIENT_MESSAGE_ID = '[A-Za-z0-9_-]{1,64}';

/**
 * The shapes every key of the table may take (README "Data model"), built only from validated values. An
 * item outside these is input that reached DynamoDB as an unintended key.
 */
const KEY_SHAPES: readonly [RegExp, RegExp][] = [
  [new RegExp(`^USER#${USERNAME}$`), new RegExp(`^(PROFILE|CONV#${CONVERSATION})$`)],
  // Emails may contain `#` (the address rules allow it), but the claim lives under its own prefix and fixed SK.
  [/^EMAIL#[^@\s]+@[^@\s]+\.[^@\s]+$/, /^EMAIL$/],
  [
    new RegExp(`^ROOM#${ROOM}$`),
    new RegExp(
      `^(META|CONN#${CONNECTION}|PRESENCE#${USERNAME}|MSG#${ULID}|CMID#${USERNAME}#${CLIENT_MESSAGE_ID})$`,
    ),
  ],
  [new RegExp(`^CONN#${CONNECTION}$`), /^META$/],
  [
    new RegExp(`^CONV#${CONVERSATION}$`),
    new RegExp(`^(META|MSG#${ULID}|CMID#${USERNAME}#${CLIENT_MESSAGE_ID})$`),
  ],
];

/** The items whose key matches none of the designed shapes. */
export function unexpectedKeys(items: readonly Record<string, Json>[]): string[] {
  return items
    .filter((item) => !KEY_SHAPES.some(([pk, sk]) => pk.test(item.PK) && sk.test(item.SK)))
    .map((item) => `${item.PK} / ${item.SK}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
