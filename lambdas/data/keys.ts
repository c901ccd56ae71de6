/**
 * Key design: the only place that knows how items are addressed. Every value that reaches a key here has been
 * validated at the edge against a pattern that excludes `#`, so user input can never form another entity's key.
 *
 * | entity                  | PK                    | SK                          | GSI1PK              | GSI1SK                      |
 * |-------------------------|-----------------------|-----------------------------|---------------------|-----------------------------|
 * | user profile            | USER#<username lower> | PROFILE                     |                     |                             |
 * | email claim             | EMAIL#<email lower>   | EMAIL                       |                     |                             |
 * | room                    | ROOM#<name>           | META                        | ROOMS               | <name>                      |
 * | room member (per conn.) | ROOM#<name>           | CONN#<connectionId>         |                     |                             |
 * | room presence (per user)| ROOM#<name>           | PRESENCE#<username lower>   |                     |                             |
 * | room message            | ROOM#<name>           | MSG#<messageId>             |                     |                             |
 * | clientMessageId guard   | ROOM#<name>/CONV#<id> | CMID#<username lower>#<cmid>|                     |                             |
 * | connection              | CONN#<connectionId>   | META                        | USERCONNS#<user lc> | <connectionId>              |
 * | conversation            | CONV#<id>             | META                        |                     |                             |
 * | conversation message    | CONV#<id>             | MSG#<messageId>             |                     |                             |
 * | conversation of a user  | USER#<username lower> | CONV#<id>                   | USERCONVS#<user lc> | <lastActivityAt>#<id>       |
 *
 * Access patterns and their cost are listed in README.md ("Data model").
 */

export interface Key {
  readonly PK: string;
  readonly SK: string;
}

export const userKey = (usernameLower: string): Key => ({ PK: `USER#${usernameLower}`, SK: 'PROFILE' });

export const emailKey = (emailLower: string): Key => ({ PK: `EMAIL#${emailLower}`, SK: 'EMAIL' });

export const roomKey = (room: string): Key => ({ PK: `ROOM#${room}`, SK: 'META' });

/** All rooms share one GSI1 partition, sorted by name; only room creation writes to it. */
export const ROOMS_INDEX_PK = 'ROOMS';

export const roomPartition = (room: string): string => `ROOM#${room}`;

export const roomMemberKey = (room: string, connectionId: string): Key => ({
  PK: roomPartition(room),
  SK: `CONN#${connectionId}`,
});
export const ROOM_MEMBER_PREFIX = 'CONN#';

export const presenceKey = (room: string, usernameLower: string): Key => ({
  PK: roomPartition(room),
  SK: `PRESENCE#${usernameLower}`,
});

export const MESSAGE_PREFIX = 'MSG#';
export const messageSortKey = (messageId: string): string => `${MESSAGE_PREFIX}${messageId}`;

export const clientMessageIdKey = (
  partition: string,
  usernameLower: string,
  clientMessageId: string,
): Key => ({
  PK: partition,
  SK: `CMID#${usernameLower}#${clientMessageId}`,
});

export const connectionKey = (connectionId: string): Key => ({ PK: `CONN#${connectionId}`, SK: 'META' });
export const userConnectionsIndexKey = (usernameLower: string): string => `USERCONNS#${usernameLower}`;

export const conversationPartition = (conversationId: string): string => `CONV#${conversationId}`;
export const conversationKey = (conversationId: string): Key => ({
  PK: conversationPartition(conversationId),
  SK: 'META',
});

export const userConversationKey = (usernameLower: string, conversationId: string): Key => ({
  PK: `USER#${usernameLower}`,
  SK: `CONV#${conversationId}`,
});
export const userConversationsIndexKey = (usernameLower: string): string => `USERCONVS#${usernameLower}`;
