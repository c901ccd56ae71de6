import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import type { EnvironmentSettings } from '../../lambdas/shared/environment.ts';
import { rateLimitDefaults } from '../../lib/contract/index.ts';
import { ensureTable, localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import type { Json } from './http-client.ts';

export const TEST_JWT_SECRET = 'test-signing-key-that-is-long-enough-for-hs256';

/**
 * Creates a fresh table in the run's DynamoDB Local and points this test file's environment at it, the way the
 * stack's environment points a function at its table. Call it before importing any handler module.
 */
export async function useFreshTable(): Promise<{ tableName: string; endpoint: string }> {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `test-${randomUUID()}`;
  await ensureTable(endpoint, tableName);
  const settings: EnvironmentSettings = {
    TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    JWT_SECRET: TEST_JWT_SECRET,
    // Handler-level tests have no gateway: posts to connections fail fast and are logged, never thrown.
    WEBSOCKET_CALLBACK_URL: process.env.WEBSOCKET_CALLBACK_URL ?? 'http://127.0.0.1:9',
  };
  Object.assign(process.env, settings);
  return { tableName, endpoint };
}

/** A document client for reading the table directly (what the tests assert on, never what they act with). */
export function tableReader(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, ...localAwsSettings }));
}

/** Every item of the table, read consistently (small test tables only). */
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
/** A reaction item's sort key: user, message, and the emoji as hexadecimal code points. */
const REACTION = `REACT#${USERNAME}#${ULID}#[0-9a-f]{1,6}(-[0-9a-f]{1,6})*`;

const KEY_SHAPES: readonly [RegExp, RegExp][] = [
  [
    new RegExp(`^USER#${USERNAME}$`),
    new RegExp(
      `^(PROFILE|CONV#${CONVERSATION}|ROOM#${ROOM}|INVITE#${ROOM}|TYPING#(ROOM#${ROOM}|CONV#${CONVERSATION}))$`,
    ),
  ],
  // Emails may contain `#` (the address rules allow it), but the claim lives under its own prefix and fixed SK.
  [/^EMAIL#[^@\s]+@[^@\s]+\.[^@\s]+$/, /^EMAIL$/],
  [
    new RegExp(`^ROOM#${ROOM}$`),
    new RegExp(
      `^(META|PRESENT|CONN#${CONNECTION}|PRESENCE#${USERNAME}|MEMBER#${USERNAME}|MSG#${ULID}|CMID#${USERNAME}#${CLIENT_MESSAGE_ID}|${REACTION})$`,
    ),
  ],
  [new RegExp(`^CONN#${CONNECTION}$`), /^META$/],
  // Session ids are random (128 bits), ticket keys a SHA-256: both base64url, neither ever from input.
  [/^SESSION#[A-Za-z0-9_-]{22}$/, /^META$/],
  [/^TICKET#[A-Za-z0-9_-]{43}$/, /^META$/],
  [
    new RegExp(`^CONV#${CONVERSATION}$`),
    new RegExp(`^(META|MSG#${ULID}|CMID#${USERNAME}#${CLIENT_MESSAGE_ID}|${REACTION})$`),
  ],
  // Failed-login counters: whatever was typed as the username, or the address, only ever as a SHA-256.
  [/^LOGINFAIL#(USER|ADDR)#[A-Za-z0-9_-]{43}$/, /^FAILURES$/],
  // Per-user rate buckets: the kind is one of the contract's rate names, never input.
  [new RegExp(`^RATE#(${Object.keys(rateLimitDefaults).join('|')})#${USERNAME}$`), /^BUCKET$/],
];

/** The items whose key matches none of the designed shapes. */
export function unexpectedKeys(items: readonly Record<string, Json>[]): string[] {
  return items
    .filter((item) => !KEY_SHAPES.some(([pk, sk]) => pk.test(item.PK) && sk.test(item.SK)))
    .map((item) => `${item.PK} / ${item.SK}`);
}
