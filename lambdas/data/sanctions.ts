import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type * as contract from '../../lib/contract/index.ts';
import { roomBanKey, roomMembershipKey } from './keys.ts';
import { conditionally } from './transactions.ts';

export type Ban = contract.RoomBan;

/**
 * Bans and mutes of room members. A ban is an item of its own beside the room's member items (a ban outlives the
 * membership it ends), which the join transaction checks (MembershipRepository.add); a mute is `mutedUntil` on the
 * room-side member item, which every post reads anyway.
 */
export class SanctionRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Records (or replaces) a ban: one PutItem beside the member items. `expiresAt` (epoch seconds) is also the
   * table's TTL attribute, so an expired ban goes by itself; until then the join condition compares it with now.
   */
  async ban(ban: Ban): Promise<void> {
    const expiresAt =
      ban.expiresAt === undefined ? {} : { expiresAt: Math.ceil(Date.parse(ban.expiresAt) / 1000) };
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...roomBanKey(ban.room, ban.username), type: 'Ban', ...ban, ...expiresAt },
      }),
    );
  }

  /** Lifts a ban, if there is one: one DeleteItem. */
  async unban(room: string, username: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: roomBanKey(room, username) }));
  }

  /**
   * Sets (or, with undefined, clears) a member's `mutedUntil` on the room-side member item, which every post
   * reads anyway: one UpdateItem on condition that the member item exists. False when it does not.
   */
  async setMutedUntil(room: string, username: string, mutedUntil: string | undefined): Promise<boolean> {
    const change =
      mutedUntil === undefined
        ? { UpdateExpression: 'REMOVE mutedUntil' }
        : {
            UpdateExpression: 'SET mutedUntil = :until',
            ExpressionAttributeValues: { ':until': mutedUntil },
          };
    return conditionally(
      this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: roomMembershipKey(room, username),
          ConditionExpression: 'attribute_exists(PK)',
          ...change,
        }),
      ),
    );
  }
}
