import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  canonicalUsername,
  emailKey,
  userKey,
  usernameSearchEntry,
  usernameSearchPartition,
} from './keys.ts';
import type { Page } from './rooms.ts';
import { GSI1 } from './schema.ts';
import { conditionally, transactWrite } from './transactions.ts';

export interface UserRecord {
  readonly userId: string;
  /** As given at registration, for display. */
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly createdAt: string;
}

/** The type of the tombstone that keeps a deleted account's username taken for ever. */
const DELETED_USER = 'DeletedUser';

/** Users, keyed by username in any casing; emails claimed by a separate item so both are unique. */
export class UserRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Creates the user and claims its username and email in one transaction whose conditions make both unique,
   * case-insensitively. Returns false when either is taken (deliberately not saying which).
   */
  async create(user: UserRecord): Promise<boolean> {
    const outcome = await transactWrite(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          // Listed in the username search (a tombstone, which replaces the profile, is not).
          Item: { ...userKey(user.username), ...usernameSearchEntry(user.username), type: 'User', ...user },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...emailKey(user.email), type: 'EmailClaim', userId: user.userId },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    ]);
    return outcome.ok;
  }

  /**
   * Deletes an account: in one transaction, its profile is replaced by a tombstone (so that registration still
   * finds the username taken, and no one inherits its conversations) and its email claim is deleted (so that the
   * email may register again), both on condition that they are still this user's. Returns false when not.
   */
  async delete(user: Pick<UserRecord, 'userId' | 'username' | 'email'>, deletedAt: string): Promise<boolean> {
    const outcome = await transactWrite(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...userKey(user.username),
            type: DELETED_USER,
            userId: user.userId,
            username: user.username,
            deletedAt,
          },
          ConditionExpression: 'userId = :userId',
          ExpressionAttributeValues: { ':userId': user.userId },
        },
      },
      {
        Delete: {
          TableName: this.tableName,
          Key: emailKey(user.email),
          ConditionExpression: 'userId = :userId',
          ExpressionAttributeValues: { ':userId': user.userId },
        },
      },
    ]);
    return outcome.ok;
  }

  /** One GetItem; any casing of the username finds the user. A deleted account is found as no user. */
  /**
   * Up to `limit` usernames starting with `prefix` (any case, at least 2 characters), sorted canonically, after
   * the canonical username `after`: one Query of one search partition, projected to the username.
   */
  async search(prefix: string, limit: number, after: string | undefined): Promise<Page<string>> {
    const start = canonicalUsername(prefix);
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: GSI1,
        // After a page, the range runs from just past its last name ("!" sorts before every username
        // character) to the end of the prefix ("~" sorts after them all).
        KeyConditionExpression:
          after === undefined
            ? 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)'
            : 'GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to',
        ExpressionAttributeValues:
          after === undefined
            ? { ':pk': usernameSearchPartition(start), ':prefix': start }
            : { ':pk': usernameSearchPartition(start), ':from': `${after}!`, ':to': `${start}~` },
        ProjectionExpression: 'username',
        Limit: limit + 1,
      }),
    );
    const items = (output.Items ?? []).map((item) => item.username as string);
    const page = items.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page,
      after: items.length > limit && last !== undefined ? canonicalUsername(last) : undefined,
    };
  }

  async findByUsername(username: string): Promise<UserRecord | undefined> {
    const output = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: userKey(username) }));
    if (output.Item === undefined || output.Item.type === DELETED_USER) return undefined;
    const { userId, username: displayName, email, passwordHash, createdAt } = output.Item;
    return { userId, username: displayName, email, passwordHash, createdAt };
  }

  /**
   * Replaces a user's password hash: one UpdateItem on condition that the profile is still this user's (same
   * id) and still has the hash that was checked. Returns false when not (the password was changed meanwhile,
   * or the account was removed).
   */
  async replacePasswordHash(
    user: Pick<UserRecord, 'username' | 'userId' | 'passwordHash'>,
    passwordHash: string,
  ): Promise<boolean> {
    return conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userKey(user.username),
          UpdateExpression: 'SET passwordHash = :hash',
          // The hash that was checked must still be the current one: of two concurrent changes only the first
          // wins, and a tombstone (no hash) is never given one.
          ConditionExpression: 'userId = :userId AND passwordHash = :checked',
          ExpressionAttributeValues: {
            ':hash': passwordHash,
            ':userId': user.userId,
            ':checked': user.passwordHash,
          },
        }),
      ),
    );
  }
}

/**
 * A transaction's check that the account still has the password hash a caller checked (not changed, not
 * deleted since): what makes starting a session atomic with the password it was granted for.
 */
export function passwordStillCurrent(
  tableName: string,
  user: Pick<UserRecord, 'username' | 'userId' | 'passwordHash'>,
) {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: userKey(user.username),
      ConditionExpression: 'userId = :userId AND passwordHash = :checked',
      ExpressionAttributeValues: { ':userId': user.userId, ':checked': user.passwordHash },
    },
  };
}
