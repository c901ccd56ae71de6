/** The options and results of the list and history routes, and reading a list to its end. */
import { limits } from '../contract/limits.ts';
import type { AccountExport, Message, Page } from './types.ts';

export interface PageOptions {
  /** 1..100; the server's default is 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

export interface HistoryOptions {
  /** 1..100; the server's default is 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page: fetches the messages before it. */
  readonly before?: string;
  /**
   * A message id, or the `nextCursor` of a page read with `after`: fetches the messages strictly newer than it,
   * oldest first. Not with `before`.
   */
  readonly after?: string;
}

/** The result of a POST that may find an existing object: `created` is false on an idempotent repeat. */
export interface Created<T> {
  readonly value: T;
  readonly created: boolean;
}

/** Every item of a paged list, following `nextCursor` until the end. */
export async function readAllPages<T>(list: (options: PageOptions) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: limits.pageSize.max, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

/** The whole account export: every page's `user` (the last one's) and its arrays concatenated. */
export async function exportAll(
  exportPage: (options: PageOptions) => Promise<AccountExport>,
): Promise<Omit<AccountExport, 'nextCursor'>> {
  let cursor: string | undefined;
  let whole: Omit<AccountExport, 'nextCursor'> | undefined;
  do {
    const { nextCursor, ...page } = await exportPage({ limit: limits.pageSize.max, cursor });
    whole =
      whole === undefined
        ? page
        : {
            user: page.user,
            sessions: [...whole.sessions, ...page.sessions],
            rooms: [...whole.rooms, ...page.rooms],
            conversations: [...whole.conversations, ...page.conversations],
            blocks: [...whole.blocks, ...page.blocks],
            messages: [...whole.messages, ...page.messages],
          };
    cursor = nextCursor ?? undefined;
  } while (cursor !== undefined);
  return whole;
}

/** The `count` most recent messages of one history (fewer when there are not as many), oldest first. */
export async function recentMessages(
  read: (options: HistoryOptions) => Promise<Page<Message>>,
  count: number,
): Promise<Message[]> {
  const pages: Message[][] = [];
  let remaining = count;
  let before: string | undefined;
  while (remaining > 0) {
    const page = await read({ limit: Math.min(remaining, limits.pageSize.max), before });
    pages.unshift([...page.items]);
    remaining -= page.items.length;
    if (page.nextCursor === null || page.items.length === 0) break;
    before = page.nextCursor;
  }
  return pages.flat();
}

/**
 * Every message newer than `after` (a message id), oldest first, reading forward page after page until up to
 * date; messages that arrive meanwhile are read too, each once.
 */
export async function messagesAfter(
  read: (options: HistoryOptions) => Promise<Page<Message>>,
  after: string,
): Promise<Message[]> {
  const messages: Message[] = [];
  let position: string | null = after;
  while (position !== null) {
    const page = await read({ limit: limits.pageSize.max, after: position });
    messages.push(...page.items);
    position = page.nextCursor;
  }
  return messages;
}
