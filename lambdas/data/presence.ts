import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { partitionAfter } from './index-query.ts';
import { canonicalUsername, presenceQuery, presentCountKey } from './keys.ts';
import type { Page } from './rooms.ts';

/**
 * Who is present in a room, read from the per-user presence items (written by ConnectionRepository's join and
 * leave transactions) and the room's count of present users kept beside them in the same transactions.
 */
export class PresenceRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** How many users are present in the room: 1 strongly consistent GetItem (0 when nobody ever was). */
  async count(room: string): Promise<number> {
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: presentCountKey(room),
        ProjectionExpression: 'present',
        ConsistentRead: true,
      }),
    );
    const present = output.Item?.present;
    return typeof present === 'number' && present > 0 ? present : 0;
  }

  /**
   * Up to `limit` present usernames after `after` (a canonical username), sorted by canonical username, and
   * where the next page starts.
   */
  async page(room: string, limit: number, after: string | undefined): Promise<Page<string>> {
    const usernames = await this.read(room, limit + 1, after);
    const items = usernames.slice(0, limit);
    const last = items.at(-1);
    const hasMore = usernames.length > limit;
    return { items, after: hasMore && last !== undefined ? canonicalUsername(last) : undefined };
  }

  /** Whether more than `count` users are present: reads at most `count + 1` presence items. */
  async moreThan(room: string, count: number): Promise<boolean> {
    return (await this.read(room, count + 1, undefined)).length > count;
  }

  /**
   * Up to `wanted` present usernames after `after`: strongly consistent Queries of the room's presence items
   * (never more than `wanted` at a time), which read nothing of the room beyond them. Presence items with an
   * empty set (left behind by versions that did not delete them on a user's last leave, until their TTL) are
   * skipped, so a read may take more than one Query while such items remain.
   */
  private async read(room: string, wanted: number, after: string | undefined): Promise<string[]> {
    const query = presenceQuery(room);
    const usernames: string[] = [];
    let startKey = partitionAfter(query, after).ExclusiveStartKey as Record<string, unknown> | undefined;
    do {
      const output = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          ...partitionAfter(query, undefined),
          FilterExpression: 'attribute_exists(connections)',
          ProjectionExpression: 'username',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          Limit: wanted - usernames.length,
        }),
      );
      for (const item of output.Items ?? []) usernames.push(item.username as string);
      startKey = output.LastEvaluatedKey;
    } while (usernames.length < wanted && startKey !== undefined);
    return usernames;
  }
}
