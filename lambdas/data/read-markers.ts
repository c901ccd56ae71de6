import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Key, userConversationKey, userRoomKey } from './keys.ts';

/** What moving a read marker did: moved to the message, found it at that message or a newer one, or no item. */
export type MarkerOutcome =
  | { readonly moved: true; readonly marker: string }
  | { readonly moved: false; readonly marker: string }
  | 'no-item';

/**
 * Read markers: `lastReadMessageId` on the per-user item that already exists (the user's conversation item, the
 * user-side membership item), so a marker costs no item of its own and any number of participants each have
 * theirs. Message ids sort in send order (ULIDs: 48 bits of milliseconds first, in a base 32 that sorts as text),
 * so "newer" is a string comparison DynamoDB can make in the condition.
 */
export class ReadMarkerRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Moves a participant's marker of a conversation forward: one conditional UpdateItem. */
  moveInConversation(username: string, conversationId: string, messageId: string): Promise<MarkerOutcome> {
    return this.move(userConversationKey(username, conversationId), messageId);
  }

  /** Moves a member's marker of a room forward: one conditional UpdateItem. */
  moveInRoom(username: string, room: string, messageId: string): Promise<MarkerOutcome> {
    return this.move(userRoomKey(username, room), messageId);
  }

  /**
   * `SET lastReadMessageId` on condition that the item exists and its marker is absent or older: forward only,
   * decided by the database, so of concurrent moves the newest message wins whatever the order they land in. A
   * failed condition returns the item as it is (ReturnValuesOnConditionCheckFailure), which tells "already at
   * or past it" from "no such item" without a read.
   */
  private async move(key: Key, messageId: string): Promise<MarkerOutcome> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET lastReadMessageId = :id',
          ConditionExpression:
            'attribute_exists(PK) AND (attribute_not_exists(lastReadMessageId) OR lastReadMessageId < :id)',
          ExpressionAttributeValues: { ':id': messageId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { moved: true, marker: messageId };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      // The item comes back as DynamoDB wrote it (not unmarshalled): an existing item failed only because its
      // marker is at or past this message.
      const item = (error as { Item?: { lastReadMessageId?: { S?: string } } }).Item;
      if (item === undefined) return 'no-item';
      return { moved: false, marker: item.lastReadMessageId?.S ?? messageId };
    }
  }
}
