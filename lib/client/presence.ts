/**
 * The rooms a session is in and who is in each, kept from the frames the server sends: `joined` gives the
 * members, `user_joined` and `user_left` keep them up to date, `left`, `removed` (kicked or banned) and
 * `room_deleted` forget the room, so that it is not re-joined after a reconnect.
 */
import type { ServerFrame } from './types.ts';

/** Room names are lower-cased by the server; the client matches its answers on the same form. */
export function roomKey(room: string): string {
  return room.toLowerCase();
}

export class RoomPresence {
  private readonly members = new Map<string, Set<string>>();

  /** The rooms joined, in the order they were joined. */
  get rooms(): ReadonlySet<string> {
    return new Set(this.members.keys());
  }

  /** Who is in `room`, sorted; empty for a room not joined. */
  membersOf(room: string): string[] {
    return [...(this.members.get(roomKey(room)) ?? [])].sort();
  }

  /** Updates the rooms and members from one server frame; other frames change nothing. */
  apply(frame: ServerFrame): void {
    switch (frame.type) {
      case 'joined':
        this.members.set(frame.room, new Set(frame.members));
        break;
      case 'left':
      case 'removed':
      case 'room_deleted':
        this.members.delete(frame.room);
        break;
      case 'user_joined':
        this.members.get(frame.room)?.add(frame.username);
        break;
      case 'user_left':
        this.members.get(frame.room)?.delete(frame.username);
        break;
    }
  }

  /** Drops a room that is gone (it could not be re-joined). */
  forget(room: string): void {
    this.members.delete(roomKey(room));
  }
}
