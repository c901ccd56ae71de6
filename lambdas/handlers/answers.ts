import { MESSAGE_ID_PATTERN } from '../../lib/contract/index.ts';
import type { HistoryPage, HistoryPosition, Message } from '../data/messages.ts';
import { decodeCursor, encodeCursor } from '../shared/cursor.ts';

/** A paging position as the contract shows it: an opaque cursor, or null on the last page. */
export function nextCursorOf(position: string | undefined): string | null {
  return position === undefined ? null : encodeCursor(position);
}

/**
 * The answer of a history route: the page, and the cursor of the page before it; for a page read `after` a
 * message, the id of its newest message, which is what `after` takes (null when up to date).
 */
export function historyAnswer(page: HistoryPage) {
  const nextCursor = 'after' in page ? (page.after ?? null) : nextCursorOf(page.before);
  return { status: 200, body: { messages: page.messages, nextCursor } } as const;
}

/** Where a history route's page starts, from its query (both together are refused by the contract). */
export function historyPosition(query: {
  readonly before?: string;
  readonly after?: string;
}): HistoryPosition {
  if (query.after !== undefined) return { after: query.after };
  return { before: decodeCursor(query.before, MESSAGE_ID_PATTERN, 'before') };
}

/** The answer of a message post: 201 when it was stored now, 200 with the first one on a clientMessageId repeat. */
export function postedAnswer(result: { readonly message: Message; readonly created: boolean }) {
  const body = { message: result.message };
  return result.created ? ({ status: 201, body } as const) : ({ status: 200, body } as const);
}
