import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type * as contract from '../../lib/contract/index.ts';
import { partitionAfter, queryPage } from './index-query.ts';
import {
  canonicalUsername,
  invitationKey,
  roomBanKey,
  roomInviteeKey,
  roomKey,
  roomMembershipKey,
  roomMembershipsQuery,
  userInvitationsQuery,
  userRoomKey,
  userRoomsQuery,
} from './keys.ts';
import { type Membership, type Page, type Room, userMembershipItem } from './rooms.ts';
import { transactWrite } from './transactions.ts';

export type Invitation = contract.Invitation;

/** What adding a member did. */
export type AddOutcome = 'added' | 'already-member' | 'no-room' | 'not-invited' | 'banned';

/**
 * Persistent room membership (per user, unlike presence, which is per connection) and invitations. A membership
 * is two items, the room-side one (the member list) and the user-side one (the user's rooms), always written or
 * deleted together with the room's `memberCount` in one transaction whose condition on the room-side item makes
 * concurrent joins and leaves count exactly once each.
 */
export class MembershipRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** One GetItem of the room-side item; `consistent` reads it strongly consistent (1 read unit instead of 0.5). */
  async get(room: string, username: string, consistent = false): Promise<Membership | undefined> {
    const output = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: roomMembershipKey(room, username),
        ...(consistent ? { ConsistentRead: true } : {}),
      }),
    );
    return output.Item === undefined ? undefined : toMembership(output.Item);
  }

  /**
   * Makes a user a member: both items and `memberCount + 1` in one transaction, on condition that the user is not
   * a member yet and the room exists; `withInvitation` also consumes the user's invitation, which must exist
   * (private rooms). A public room's join deletes a pending invitation too, if there is one. A ban of the user
   * that has not expired refuses it: checked in the same transaction (a condition check, 2 write units), so that
   * the paths of members who are already members (every post) pay nothing for bans.
   */
  async add(room: Room, member: Membership, withInvitation: boolean): Promise<AddOutcome> {
    const outcome = await transactWrite(this.doc, [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...roomMembershipKey(room.name, member.username), type: 'Member', ...member },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      { Put: { TableName: this.tableName, Item: userMembershipItem(room, member) } },
      this.countUpdate(room.name, 1),
      {
        Delete: {
          TableName: this.tableName,
          Key: invitationKey(member.username, room.name),
          ...(withInvitation ? { ConditionExpression: 'attribute_exists(PK)' } : {}),
        },
      },
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: roomBanKey(room.name, member.username),
          ConditionExpression: 'attribute_not_exists(PK) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': Math.floor(Date.parse(member.joinedAt) / 1000) },
        },
      },
    ]);
    if (outcome.ok) return 'added';
    if (outcome.failedConditions.includes(0)) return 'already-member';
    if (outcome.failedConditions.includes(2)) return 'no-room';
    if (outcome.failedConditions.includes(4)) return 'banned';
    return 'not-invited';
  }

  /** Ends a membership: both items and `memberCount - 1` in one transaction; false when it was not a member. */
  async remove(room: string, username: string): Promise<boolean> {
    const outcome = await transactWrite(this.doc, [
      {
        Delete: {
          TableName: this.tableName,
          Key: roomMembershipKey(room, username),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      { Delete: { TableName: this.tableName, Key: userRoomKey(username, room) } },
      this.countUpdate(room, -1),
    ]);
    return outcome.ok;
  }

  /**
   * Sets a member's role on both their items in one transaction (2 UpdateItems, 4 write units), on condition that
   * the room-side item exists: false when it does not (they left meanwhile).
   */
  async setRole(room: string, username: string, role: contract.RoomRole): Promise<boolean> {
    const update = (key: { PK: string; SK: string }) => ({
      Update: {
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET #role = :role',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':role': role },
      },
    });
    const outcome = await transactWrite(this.doc, [
      update(roomMembershipKey(room, username)),
      update(userRoomKey(username, room)),
    ]);
    return outcome.ok;
  }

  /** A page of a room's members by canonical username, after `after`: one Query of the room's partition. */
  list(room: string, limit: number, after: string | undefined): Promise<Page<Membership>> {
    return this.page(roomMembershipsQuery(room), limit, after, toMembership, (member) =>
      canonicalUsername(member.username),
    );
  }

  /** A page of a user's memberships by room name, after `after`: one Query of the user's partition. */
  roomsOf(username: string, limit: number, after: string | undefined) {
    return this.page(userRoomsQuery(username), limit, after, toRoomMembership, byRoom);
  }

  /** As `roomsOf`, each with the user's read marker of the room (`GET /me/rooms`). */
  roomsWithMarkersOf(username: string, limit: number, after: string | undefined) {
    const withMarker = (item: Record<string, unknown>) => ({
      ...toRoomMembership(item),
      lastReadMessageId: (item.lastReadMessageId as string | undefined) ?? null,
    });
    return this.page(userRoomsQuery(username), limit, after, withMarker, byRoom);
  }

  /**
   * Records (or renews) an invitation in the invitee's partition, after its pointer in the room's partition, by
   * which deleting the room finds it: 2 PutItems. A pointer whose invitation was accepted or never written
   * stays until the room goes; it grants nothing.
   */
  async invite(invitation: Invitation): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...roomInviteeKey(invitation.room, invitation.username),
          type: 'Invitee',
          username: invitation.username,
        },
      }),
    );
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...invitationKey(invitation.username, invitation.room), type: 'Invitation', ...invitation },
      }),
    );
  }

  /** Withdraws a user's invitation to a room, if there is one: one DeleteItem. */
  async withdrawInvitation(username: string, room: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: invitationKey(username, room) }));
  }

  /** Withdraws an invitation and its pointer in the room's partition: 2 DeleteItems. */
  async uninvite(username: string, room: string): Promise<void> {
    await this.withdrawInvitation(username, room);
    await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: roomInviteeKey(room, username) }),
    );
  }

  /** A page of a user's pending invitations by room name: one Query of the user's partition. */
  invitationsOf(username: string, limit: number, after: string | undefined): Promise<Page<Invitation>> {
    return this.page(userInvitationsQuery(username), limit, after, toInvitation, byRoom);
  }

  /** A page of one kind of item in a partition, after the sort value `after`; the cursor is the last one's. */
  private async page<T>(
    query: { readonly PK: string; readonly SKPrefix: string },
    limit: number,
    after: string | undefined,
    toItem: (item: Record<string, unknown>) => T,
    sortValueOf: (item: T) => string,
  ): Promise<Page<T>> {
    const input = { TableName: this.tableName, ...partitionAfter(query, after) };
    const { items, hasMore } = await queryPage(this.doc, input, limit);
    const page = items.map(toItem);
    const last = page.at(-1);
    return { items: page, after: hasMore && last !== undefined ? sortValueOf(last) : undefined };
  }

  /** `memberCount` changes with each join and leave; a join also needs the room not to be being deleted. */
  private countUpdate(room: string, change: 1 | -1) {
    return {
      Update: {
        TableName: this.tableName,
        Key: roomKey(room),
        UpdateExpression: 'ADD memberCount :change',
        ConditionExpression:
          change === 1 ? 'attribute_exists(PK) AND attribute_not_exists(deletingAt)' : 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':change': change },
      },
    };
  }
}

/** Memberships and invitations of a user sort by room name. */
const byRoom = (item: { readonly room: string }): string => item.room;

function toMembership(item: Record<string, unknown>): Membership {
  return {
    username: item.username as string,
    role: item.role as contract.RoomRole,
    joinedAt: item.joinedAt as string,
    ...(typeof item.mutedUntil === 'string' ? { mutedUntil: item.mutedUntil } : {}),
  };
}

/**
 * A user-side membership record. Records written before membership existed were the creator's copy of the room
 * (`name`, `createdAt`, no role): their user is its owner.
 */
export function toRoomMembership(item: Record<string, unknown>): contract.RoomMembership {
  return {
    room: (item.room ?? item.name) as string,
    role: (item.role ?? 'owner') as contract.RoomRole,
    joinedAt: (item.joinedAt ?? item.createdAt) as string,
  };
}

function toInvitation(item: Record<string, unknown>): Invitation {
  return {
    room: item.room as string,
    username: item.username as string,
    invitedBy: item.invitedBy as string,
    invitedAt: item.invitedAt as string,
  };
}
