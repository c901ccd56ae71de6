import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type * as contract from '../../lib/contract/index.ts';
import { partitionAfter, queryPage } from './index-query.ts';
import {
  canonicalUsername,
  invitationKey,
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
export type AddOutcome = 'added' | 'already-member' | 'no-room' | 'not-invited';

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

  /** One GetItem of the room-side item. */
  async get(room: string, username: string): Promise<Membership | undefined> {
    const output = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: roomMembershipKey(room, username) }),
    );
    return output.Item === undefined ? undefined : toMembership(output.Item);
  }

  /**
   * Makes a user a member: both items and `memberCount + 1` in one transaction, on condition that the user is not
   * a member yet and the room exists; `withInvitation` also consumes the user's invitation, which must exist
   * (private rooms). A public room's join deletes a pending invitation too, if there is one.
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
    ]);
    if (outcome.ok) return 'added';
    if (outcome.failedConditions.includes(0)) return 'already-member';
    if (outcome.failedConditions.includes(2)) return 'no-room';
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

  /** A page of a room's members by canonical username, after `after`: one Query of the room's partition. */
  async list(room: string, limit: number, after: string | undefined): Promise<Page<Membership>> {
    const { items, hasMore } = await queryPage(
      this.doc,
      { TableName: this.tableName, ...partitionAfter(roomMembershipsQuery(room), after) },
      limit,
    );
    const members = items.map(toMembership);
    const last = members.at(-1);
    return { items: members, after: hasMore && last ? canonicalUsername(last.username) : undefined };
  }

  /** A page of a user's memberships by room name, after `after`: one Query of the user's partition. */
  async roomsOf(username: string, limit: number, after: string | undefined) {
    const { items, hasMore } = await queryPage(
      this.doc,
      { TableName: this.tableName, ...partitionAfter(userRoomsQuery(username), after) },
      limit,
    );
    const memberships = items.map(toRoomMembership);
    return { items: memberships, after: hasMore ? memberships.at(-1)?.room : undefined };
  }

  /** Records (or renews) an invitation in the invitee's partition: one PutItem. */
  async invite(invitation: Invitation): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...invitationKey(invitation.username, invitation.room), type: 'Invitation', ...invitation },
      }),
    );
  }

  /** A page of a user's pending invitations by room name: one Query of the user's partition. */
  async invitationsOf(username: string, limit: number, after: string | undefined): Promise<Page<Invitation>> {
    const { items, hasMore } = await queryPage(
      this.doc,
      { TableName: this.tableName, ...partitionAfter(userInvitationsQuery(username), after) },
      limit,
    );
    const invitations = items.map(toInvitation);
    return { items: invitations, after: hasMore ? invitations.at(-1)?.room : undefined };
  }

  private countUpdate(room: string, change: 1 | -1) {
    return {
      Update: {
        TableName: this.tableName,
        Key: roomKey(room),
        UpdateExpression: 'ADD memberCount :change',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':change': change },
      },
    };
  }
}

function toMembership(item: Record<string, unknown>): Membership {
  return {
    username: item.username as string,
    role: item.role as contract.RoomRole,
    joinedAt: item.joinedAt as string,
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
