import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type * as contract from '../../lib/contract/index.ts';
import { toBlock } from './blocks.ts';
import { type Conversation, toConversation } from './conversations.ts';
import { GroupRepository, groupConversation } from './groups.ts';
import { indexAfter, partitionAfter } from './index-query.ts';
import {
  canonicalUsername,
  userBlocksQuery,
  userConversationsQuery,
  userMessagesIndexKey,
  userRoomsQuery,
  userSessionsIndexKey,
} from './keys.ts';
import { toRoomMembership } from './memberships.ts';
import { toMessage } from './messages.ts';

/** The parts of an account export, in the order the pages walk them. */
export const EXPORT_SECTIONS = ['sessions', 'rooms', 'conversations', 'blocks', 'messages'] as const;
export type ExportSection = (typeof EXPORT_SECTIONS)[number];

/** What each section lists, as the contract shows it. */
export interface ExportItems {
  readonly sessions: contract.AccountExport['sessions'];
  readonly rooms: contract.AccountExport['rooms'];
  readonly conversations: contract.AccountExport['conversations'];
  readonly blocks: contract.AccountExport['blocks'];
  readonly messages: contract.AccountExport['messages'];
}

/** A slice of one section: its items, in the section's order, and the sort value the next slice starts after. */
export interface SectionSlice<Section extends ExportSection> {
  readonly items: ExportItems[Section];
  /** Undefined when the section has no more items. */
  readonly after: string | undefined;
}

/**
 * The reads behind `GET /auth/me/export`: one Query per section slice, each of the caller's own partition only
 * (the username comes from the token, never from the cursor, which carries only a sort value). Every section is
 * in a stable order, so that items added while a client pages are listed at most once and none is skipped:
 * sessions by id, room memberships by room name, conversations by id (not by activity, which changes), blocks by
 * username, messages by id (send order).
 */
export class AccountExportRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Up to `limit` items of one section after the sort value `after`: one Query. */
  async slice<Section extends ExportSection>(
    section: Section,
    username: string,
    limit: number,
    after: string | undefined,
  ): Promise<SectionSlice<Section>> {
    const { input, sortValueOf, toItem } = this.plan(section, username, after);
    // One more than asked tells whether the section goes on.
    const output = await this.doc.send(new QueryCommand({ ...input, Limit: limit + 1 }));
    const items = output.Items ?? [];
    const page = items.slice(0, limit);
    const last = page.at(-1);
    return {
      items: (section === 'conversations'
        ? await this.conversations(page)
        : page.map(toItem)) as ExportItems[Section],
      after: items.length > limit && last !== undefined ? sortValueOf(last) : undefined,
    };
  }

  /** A page of conversation items: a group's participants and title come from its META item (1 BatchGetItem). */
  private async conversations(items: Record<string, unknown>[]): Promise<Conversation[]> {
    const groupIds = items
      .filter((item) => item.kind === 'group')
      .map((item) => item.conversationId as string);
    const groups =
      groupIds.length === 0
        ? new Map()
        : await new GroupRepository(this.doc, this.tableName).getMany(groupIds);
    return items.flatMap((item) => {
      if (item.kind !== 'group') return [toConversation(item)];
      const group = groups.get(item.conversationId as string);
      return group === undefined ? [] : [groupConversation(group, toConversation(item).lastMessage)];
    });
  }

  private plan(section: ExportSection, username: string, after: string | undefined): SlicePlan {
    const base = { TableName: this.tableName };
    switch (section) {
      case 'sessions':
        return {
          input: { ...base, ...indexAfter(userSessionsIndexKey(username), after) },
          sortValueOf: (item: Record<string, unknown>) => item.sessionId as string,
          toItem: (item: Record<string, unknown>) => ({
            sessionId: item.sessionId as string,
            createdAt: item.createdAt as string,
            expiresAt: new Date((item.expiresAt as number) * 1000).toISOString(),
          }),
        };
      case 'rooms':
        return {
          input: { ...base, ...partitionAfter(userRoomsQuery(username), after) },
          sortValueOf: (item: Record<string, unknown>) => toRoomMembership(item).room,
          toItem: toRoomMembership,
        };
      case 'conversations':
        return {
          input: { ...base, ...partitionAfter(userConversationsQuery(username), after) },
          sortValueOf: (item: Record<string, unknown>) => item.conversationId as string,
          toItem: toConversation,
        };
      case 'blocks':
        return {
          input: { ...base, ...partitionAfter(userBlocksQuery(username), after) },
          sortValueOf: (item: Record<string, unknown>) => canonicalUsername(item.username as string),
          toItem: toBlock,
        };
      case 'messages':
        return {
          input: { ...base, ...indexAfter(userMessagesIndexKey(username), after) },
          sortValueOf: (item: Record<string, unknown>) => item.messageId as string,
          toItem: toMessage,
        };
    }
  }
}

/** How one section is read: the Query, the sort value a slice ends at, and an item as the contract shows it. */
interface SlicePlan {
  readonly input: QueryCommandInput;
  readonly sortValueOf: (item: Record<string, unknown>) => string;
  readonly toItem: (item: Record<string, unknown>) => unknown;
}
