/**
 * Assertions on the shapes the contract (docs/PROTOCOL.md, declared in lib/contract) promises: error bodies
 * and frames, timestamps, and that nothing internal leaks. Used by every test that checks an answer's shape, whatever transport it came over.
 */
import { expect } from 'vitest';
import { CLIENT_MESSAGE_ID_PATTERN, httpErrors, socketErrorCodes } from '../../lib/contract/index.ts';
import type { Json } from './http-client.ts';
import type { Frame } from './ws-client.ts';

/** A timestamp as the contract writes it: ISO 8601, UTC, milliseconds. */
export const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * A stored message as the contract returns it, for `toEqual`: any id, a contract timestamp, and exactly the
 * given fields (`room` or `conversationId`, `from`, `text`, and `clientMessageId` when one was sent).
 */
export function aMessage(fields: Record<string, unknown>): Record<string, unknown> {
  return { messageId: expect.any(String), sentAt: expect.stringMatching(ISO_TIME), ...fields };
}

/** Every error code of the HTTP API, with its status, as lib/contract declares it. */
const HTTP_ERROR_STATUS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(httpErrors).map(([code, { status }]) => [code, status]),
);

/** Every error code an error frame may carry. */
const SOCKET_ERROR_CODES: ReadonlySet<string> = new Set(socketErrorCodes);

/** Any HTTP answer with a parsed body. */
export interface AnyResponse {
  readonly status: number;
  readonly body: Json;
}

/**
 * Asserts the contract's error body: exactly `{code, message}` (+ `details: [{field, problem}]` for
 * validation, `retryAfterMs` for a 429), a known code whose status is the response's, and nothing that looks like a leak.
 */
export function expectContractError(response: AnyResponse, context = ''): void {
  const where = `${context} -> ${response.status} ${JSON.stringify(response.body)}`.slice(0, 600);
  expect(response.body, where).toBeTypeOf('object');
  const { code, message, details, retryAfterMs, ...rest } = response.body as Record<string, unknown>;
  expect(rest, where).toEqual({});
  // Only a 429 of ours says when to come back, in whole milliseconds.
  if (response.status === 429) expect(retryAfterMs, where).toSatisfy(Number.isSafeInteger);
  if (response.status === 429) expect(retryAfterMs as number, where).toBeGreaterThanOrEqual(1);
  else expect(retryAfterMs, where).toBeUndefined();
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

/** Asserts an error answer with this status and code, in the contract's shape, without `details`. */
export function expectError(response: AnyResponse, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body?.code).toBe(code);
  expect(response.body?.details).toBeUndefined();
  expectContractError(response);
}

/** Asserts a 400 VALIDATION_FAILED whose `details` name at least each of `fields`. */
export function expectValidationError(response: AnyResponse, fields: readonly string[]): void {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body?.code).toBe('VALIDATION_FAILED');
  expectContractError(response);
  const named = (response.body.details as { field: string }[]).map((detail) => detail.field);
  expect(named).toEqual(expect.arrayContaining([...fields]));
}

/** The error frame expected for `code` in answer to `action`: any message, and the given extra fields. */
export function errorFrame(code: string, action: string, extra: Record<string, unknown> = {}): Frame {
  return { type: 'error', code, message: expect.any(String), action, ...extra };
}

/** An error frame: `{type:"error", code, message, action?, clientMessageId?, retryAfterMs?}` with a contract code. */
export function expectErrorFrame(frame: Frame, context = ''): void {
  const where = `${context} -> ${JSON.stringify(frame)}`.slice(0, 600);
  const { type, code, message, action, clientMessageId, retryAfterMs, ...rest } = frame;
  expect(type, where).toBe('error');
  expect(rest, where).toEqual({});
  // A rate limit, and only a rate limit, says when to come back, in whole milliseconds.
  if (code === 'RATE_LIMITED') expect(retryAfterMs, where).toSatisfy(Number.isSafeInteger);
  else expect(retryAfterMs, where).toBeUndefined();
  expect(SOCKET_ERROR_CODES.has(code), where).toBe(true);
  expect(message, where).toBeTypeOf('string');
  if (action !== undefined) expect(action, where).toBeTypeOf('string');
  if (clientMessageId !== undefined) expect(clientMessageId, where).toMatch(CLIENT_MESSAGE_ID_PATTERN);
  // Only the server's own text: `action` echoes whatever the client sent.
  expectNoLeak(String(message), where);
}

/** Stack traces, SDK error names and key attribute names never reach a client (case matters: rooms are lower). */
export function expectNoLeak(text: string, where = ''): void {
  expect(text, where).not.toMatch(/\n\s+at |Exception|ECONN|DynamoDB|TableName|\bPK\b|\bSK\b|GSI1/);
}
