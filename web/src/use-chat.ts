/**
 * The signed-in user's chat state: one WebSocket session, the rooms they are in and their conversations, unread
 * counts (from the server's `unreadCount`, then kept live from `message` frames), and what the main view shows.
 * Each of the user's rooms is joined on the session, so that their messages and presence arrive live.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  type ChatApi,
  ChatSession,
  type ConversationSummary,
  type MyRoom,
  type SessionState,
} from '../../lib/client/index.ts';
import { type Place, placeKey, placeOf, samePlace } from './place.ts';

export interface ChatState {
  readonly session: ChatSession | undefined;
  readonly status: SessionState;
  readonly myRooms: readonly MyRoom[];
  readonly conversations: readonly ConversationSummary[];
  readonly unread: Readonly<Record<string, number>>;
  readonly active: Place | undefined;
}

async function allMyRooms(api: ChatApi): Promise<MyRoom[]> {
  const rooms: MyRoom[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.myRooms({ limit: 100, cursor });
    rooms.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return rooms;
}

export function useChat(api: ChatApi, webSocketUrl: string, me: string, onError: (error: unknown) => void) {
  const [session, setSession] = useState<ChatSession>();
  const [status, setStatus] = useState<SessionState>('connecting');
  const [myRooms, setMyRooms] = useState<MyRoom[]>([]);
  const [conversations, setConversations] = useState<ConversationSummary[]>([]);
  const [unread, setUnread] = useState<Record<string, number>>({});
  const [active, setActive] = useState<Place>();
  const activeRef = useRef<Place | undefined>(undefined);
  activeRef.current = active;
  const known = useRef(new Set<string>());

  const reloadRooms = useCallback(async () => {
    const rooms = await allMyRooms(api);
    setMyRooms(rooms);
    setUnread((counts) => {
      const next = { ...counts };
      for (const room of rooms) next[placeKey({ room: room.name })] = room.unreadCount;
      return next;
    });
    return rooms;
  }, [api]);

  const reloadConversations = useCallback(async () => {
    const list = await api.listAllConversations();
    known.current = new Set(list.map((conversation) => conversation.conversationId));
    setConversations(list);
    setUnread((counts) => {
      const next = { ...counts };
      for (const conversation of list) {
        const key = placeKey(conversation);
        next[key] = samePlace(activeRef.current, conversation) ? 0 : conversation.unreadCount;
      }
      return next;
    });
  }, [api]);

  useEffect(() => {
    let opened: ChatSession | undefined;
    let cancelled = false;
    (async () => {
      const [rooms] = await Promise.all([reloadRooms(), reloadConversations()]);
      opened = await ChatSession.connect({ url: webSocketUrl, auth: api });
      if (cancelled) return void opened.close();
      opened.on('state', (change) => {
        setStatus(change.state);
        // Back after a drop: the counts may have moved meanwhile.
        if (change.state === 'open' && change.reconnected) {
          void Promise.all([reloadRooms(), reloadConversations()]).catch(onError);
        }
        // The session gave up (its tokens were refused, or the connection quota): say why.
        if (change.state === 'closed' && change.reason !== undefined) onError(change.reason);
      });
      opened.on('message', (message) => {
        const place = placeOf(message);
        if (place === undefined || message.from === me || samePlace(activeRef.current, place)) return;
        if ('conversationId' in place && !known.current.has(place.conversationId)) {
          void reloadConversations().catch(onError);
          return;
        }
        const key = placeKey(place);
        setUnread((counts) => ({ ...counts, [key]: (counts[key] ?? 0) + 1 }));
      });
      const roomGone = (frame: { room: string }) => {
        if (samePlace(activeRef.current, { room: frame.room })) setActive(undefined);
        void reloadRooms().catch(onError);
      };
      opened.on('removed', roomGone);
      opened.on('room_deleted', roomGone);
      opened.on('participant_added', () => void reloadConversations().catch(onError));
      setStatus(opened.state);
      setSession(opened);
      for (const room of rooms) await opened.join(room.name).catch(onError);
    })().catch(onError);
    return () => {
      cancelled = true;
      void opened?.close();
    };
  }, [api, webSocketUrl, me, reloadRooms, reloadConversations, onError]);

  const open = useCallback((place: Place | undefined) => setActive(place), []);
  const markedRead = useCallback((place: Place) => {
    setUnread((counts) => ({ ...counts, [placeKey(place)]: 0 }));
  }, []);

  const state: ChatState = { session, status, myRooms, conversations, unread, active };
  return { state, open, markedRead, reloadRooms, reloadConversations };
}

export type Chat = ReturnType<typeof useChat>;
