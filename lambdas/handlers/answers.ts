import type { HistoryPage, Message } from '../data/messages.ts';
import { encodeCursor } from '../shared/cursor.ts';

/** A paging position as the contract shows it: an opaque cursor, or null on the last page. */
export function nextCursorOf(position: string | undefined): string | null {
  return position === undefined ? null : encodeCursor(position);
}

/** The answer of a history route: the page, and the cursor of the page before it. */
export function historyAnswer(page: HistoryPage) {
  return { status: 200, body: { messages: page.messages, nextCursor: nextCursorOf(page.before) } } as const;
}

/** The answer of a message post: 201 when it was stored now, 200 with the first one on a clientMessageId repeat. */
export function postedAnswer(result: { readonly message: Message; readonly created: boolean }) {
  const body = { message: result.message };
  return result.created ? ({ status: 201, body } as const) : ({ status: 200, body } as const);
}
