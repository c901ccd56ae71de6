import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type * as contract from '../../lib/contract/index.ts';
import { blockKey, canonicalUsername, userBlocksQuery, userConversationKey } from './keys.ts';
import type { Page } from './rooms.ts';
import { conditionally } from './transactions.ts';

export type Block = contract.Block;

/**
 * Blocks: one item per blocker and blocked user, in the blocker's partition. So that sending a direct message
 * costs no extra read, a block is also marked on the blocked user's item of the conversation between the two
 * (`blockedByPeer`), which the send path reads anyway to prove participation.
 */
export class BlockRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Records the block (a repeat keeps the first `blockedAt`: one UpdateItem), then marks the blocked user's
   * item of their conversation, if there is one (one conditional UpdateItem). In this order, a conversation
   * opened meanwhile either sees the block (its transaction checks it) or exists for the mark.
   */
  async block(blocker: string, blocked: string, conversationId: string, at: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: blockKey(blocker, blocked),
        UpdateExpression:
          'SET #type = :type, username = :username, blockedAt = if_not_exists(blockedAt, :at)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': 'Block', ':username': blocked, ':at': at },
      }),
    );
    await this.markConversation(blocked, conversationId, true);
  }

  /** Removes the block (absent or not: one DeleteItem), then the mark on the conversation, if any. */
  async unblock(blocker: string, blocked: string, conversationId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: blockKey(blocker, blocked) }));
    await this.markConversation(blocked, conversationId, false);
  }

  /** Whether `blocker` blocks `blocked`: one strongly consistent GetItem. */
  async blocks(blocker: string, blocked: string): Promise<boolean> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: blockKey(blocker, blocked), ConsistentRead: true }),
    );
    return output.Item !== undefined;
  }

  /** A page of the users `blocker` blocks, by canonical username, after `after`: one Query. */
  async list(blocker: string, limit: number, after: string | undefined): Promise<Page<Block>> {
    const { PK, SKPrefix } = userBlocksQuery(blocker);
    const output = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': PK, ':prefix': SKPrefix },
        ...(after === undefined ? {} : { ExclusiveStartKey: blockKey(blocker, after) }),
        Limit: limit + 1,
      }),
    );
    const items = (output.Items ?? []).slice(0, limit).map(toBlock);
    const hasMore = (output.Items ?? []).length > limit;
    const last = items.at(-1);
    return { items, after: hasMore && last !== undefined ? canonicalUsername(last.username) : undefined };
  }

  private async markConversation(blocked: string, conversationId: string, mark: boolean): Promise<void> {
    await conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userConversationKey(blocked, conversationId),
          UpdateExpression: mark ? 'SET blockedByPeer = :true' : 'REMOVE blockedByPeer',
          ConditionExpression: 'attribute_exists(PK)',
          ...(mark ? { ExpressionAttributeValues: { ':true': true } } : {}),
        }),
      ),
    );
  }
}

export function toBlock(item: Record<string, unknown>): Block {
  return { username: item.username as string, blockedAt: item.blockedAt as string };
}
