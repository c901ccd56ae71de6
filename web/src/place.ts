import type { MessageTarget } from '../../lib/client/index.ts';

/** What the main view shows: a room or a conversation. */
export type Place = { readonly room: string } | { readonly conversationId: string };

/** One string per place, for maps of unread counts. */
export function placeKey(place: MessageTarget): string {
  return 'room' in place && place.room !== undefined
    ? `room:${place.room}`
    : `conversation:${(place as { conversationId: string }).conversationId}`;
}

/** The place a message or frame belongs to (frames carry `room` or `conversationId`). */
export function placeOf(frame: { room?: string; conversationId?: string }): Place | undefined {
  if (frame.room !== undefined) return { room: frame.room };
  if (frame.conversationId !== undefined) return { conversationId: frame.conversationId };
  return undefined;
}

export function samePlace(a: Place | undefined, b: Place | undefined): boolean {
  return a !== undefined && b !== undefined && placeKey(a) === placeKey(b);
}
