import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { queryIndexPartition } from './index-query.ts';
import { sessionKey, userSessionsIndexEntry, userSessionsIndexKey, webSocketTicketKey } from './keys.ts';
import { conditionally, transactWrite } from './transactions.ts';
import { passwordStillCurrent, type UserRecord } from './users.ts';

export interface SessionRecord {
  readonly sessionId: string;
  readonly userId: string;
  readonly username: string;
  /** SHA-256 (base64url) of the refresh token that may be used next. */
  readonly refreshHash: string;
  /** SHA-256 of the refresh tokens already used, newest last, at most `MAX_USED_HASHES`. */
  readonly usedHashes: readonly string[];
  readonly createdAt: string;
  /** The session's end and its item's TTL, epoch seconds. */
  readonly expiresAt: number;
}

/**
 * How many used refresh token hashes a session keeps for reuse detection: 16 hashes of 43 characters keep the
 * item under 1 KB, so the session check of every request stays one 1-RCU read. A token older than the last 16
 * refreshes is no longer recognised as reused: it gets the plain 401 of an unknown token.
 */
export const MAX_USED_HASHES = 16;

/** What a WebSocket ticket grants: one handshake as this user, in this session. */
export interface TicketRecord {
  readonly userId: string;
  readonly username: string;
  readonly sessionId: string;
  /** Epoch seconds; also the item's TTL. */
  readonly expiresAt: number;
}

/**
 * Sessions (one item per login, listed per user in GSI1) and WebSocket tickets. Only hashes of refresh tokens
 * and tickets are stored, so a read of the table grants no one a session.
 */
export class SessionRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Stores a new session. Given the account's password hash that was checked, one transaction puts the
   * session on condition that the account still has that hash (2 write units each for the put and the check),
   * so that a session is never granted by a password changed or an account deleted meanwhile: a password change
   * or deletion either sees the session (and ends it) or makes this fail. Without one, one PutItem. Returns false
   * when the account's check failed. (A new random id cannot exist: that condition only guards against a bug.)
   */
  async create(
    session: SessionRecord,
    account?: Pick<UserRecord, 'username' | 'userId' | 'passwordHash'>,
  ): Promise<boolean> {
    // Listed in its user's sessions index, for logout-all and password change.
    const index = userSessionsIndexEntry(session.username, session.sessionId);
    const put = {
      TableName: this.tableName,
      Item: { ...sessionKey(session.sessionId), ...index, type: 'Session', ...session },
      ConditionExpression: 'attribute_not_exists(PK)',
    };
    if (account === undefined) {
      await this.doc.send(new PutCommand(put));
      return true;
    }
    const outcome = await transactWrite(this.doc, [
      { Put: put },
      passwordStillCurrent(this.tableName, account),
    ]);
    return outcome.ok;
  }

  /**
   * One strongly consistent GetItem (1 RCU: the item is under 4 KB), so that a session ended a moment ago is
   * seen as ended by the very next request. A session past its end that TTL has not yet removed is absent too.
   */
  async get(sessionId: string, now: Date): Promise<SessionRecord | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: sessionKey(sessionId), ConsistentRead: true }),
    );
    const item = output.Item;
    if (item === undefined || (item.expiresAt as number) <= epochSeconds(now)) return undefined;
    return {
      sessionId: item.sessionId,
      userId: item.userId,
      username: item.username,
      refreshHash: item.refreshHash,
      usedHashes: item.usedHashes ?? [],
      createdAt: item.createdAt,
      expiresAt: item.expiresAt,
    };
  }

  /**
   * Moves the session to its next refresh token: one UpdateItem on condition that the current hash is still
   * `current`, so of concurrent refreshes with one token exactly one wins. Returns false for the losers.
   */
  async rotate(session: SessionRecord, nextHash: string): Promise<boolean> {
    return conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sessionKey(session.sessionId),
          UpdateExpression: 'SET refreshHash = :next, usedHashes = :used',
          ConditionExpression: 'refreshHash = :current',
          ExpressionAttributeValues: {
            ':next': nextHash,
            ':current': session.refreshHash,
            ':used': [...session.usedHashes, session.refreshHash].slice(-MAX_USED_HASHES),
          },
        }),
      ),
    );
  }

  /** Ends a session: one DeleteItem; ending an ended one is harmless. */
  async delete(sessionId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: sessionKey(sessionId) }));
  }

  /** The ids of a user's sessions: one Query of the user's sessions index, every page. */
  async sessionIdsOf(username: string): Promise<string[]> {
    const items = await queryIndexPartition(this.doc, this.tableName, userSessionsIndexKey(username), [
      'sessionId',
    ]);
    return items.map((item) => item.sessionId as string);
  }

  /** Stores a WebSocket ticket under its hash: one PutItem. */
  async putTicket(ticketHash: string, ticket: TicketRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...webSocketTicketKey(ticketHash), type: 'WebSocketTicket', ...ticket },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /**
   * Consumes a ticket: one DeleteItem on condition that it exists and has not expired, returning what it
   * granted. Of two handshakes with one ticket, exactly one gets it; a used or expired one gives undefined.
   */
  async consumeTicket(ticketHash: string, now: Date): Promise<TicketRecord | undefined> {
    try {
      const output = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: webSocketTicketKey(ticketHash),
          ConditionExpression: 'attribute_exists(PK) AND expiresAt > :now',
          ExpressionAttributeValues: { ':now': epochSeconds(now) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const item = output.Attributes;
      if (item === undefined) return undefined;
      return {
        userId: item.userId,
        username: item.username,
        sessionId: item.sessionId,
        expiresAt: item.expiresAt,
      };
    } catch (error) {
      if ((error as { name?: unknown })?.name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }
}

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
