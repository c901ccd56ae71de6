/**
 * The log of one place: its history (the most recent page, then older pages with `before` as one scrolls up),
 * live messages, deletions and presence notices from the session, and the read marker moved to the newest
 * message while the place is open.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ChatApi, ChatSession, Message } from '../../lib/client/index.ts';
import { type Place, placeOf, samePlace } from './place.ts';

export type Entry =
  | { readonly kind: 'message'; readonly id: string; readonly message: Message }
  | { readonly kind: 'notice'; readonly id: string; readonly text: string };

const PAGE_SIZE = 30;

export function useHistory(
  api: ChatApi,
  session: ChatSession,
  place: Place,
  me: string,
  onRead: (place: Place) => void,
  onError: (error: unknown) => void,
) {
  const [entries, setEntries] = useState<Entry[]>([]);
  const [older, setOlder] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const noticeCount = useRef(0);

  const markRead = useCallback(
    (messageId: string) => api.markRead(place, messageId).then(() => onRead(place), onError),
    [api, place, onRead, onError],
  );

  const newest = useRef<string | undefined>(undefined);
  const add = useCallback((message: Message) => {
    if (newest.current === undefined || message.messageId > newest.current)
      newest.current = message.messageId;
    setEntries((list) =>
      list.some((entry) => entry.id === message.messageId)
        ? list
        : [...list, { kind: 'message', id: message.messageId, message }],
    );
  }, []);
  /** A deleted message keeps its place in the log, as history shows it: a tombstone. */
  const tombstone = useCallback((messageId: string) => {
    setEntries((list) =>
      list.map((entry) =>
        entry.kind === 'message' && entry.id === messageId
          ? { ...entry, message: { ...entry.message, text: '', deleted: true } }
          : entry,
      ),
    );
  }, []);
  const notice = useCallback((text: string) => {
    noticeCount.current += 1;
    setEntries((list) => [...list, { kind: 'notice', id: `notice-${noticeCount.current}`, text }]);
  }, []);

  useEffect(() => {
    const page =
      'room' in place
        ? api.roomMessages(place.room, { limit: PAGE_SIZE })
        : api.conversationMessages(place.conversationId, { limit: PAGE_SIZE });
    page
      .then((result) => {
        // Live messages that came while the page loaded stay, after it.
        setEntries((live) => [
          ...result.items.map((message): Entry => ({ kind: 'message', id: message.messageId, message })),
          ...live.filter((entry) => !result.items.some((message) => message.messageId === entry.id)),
        ]);
        setOlder(result.nextCursor);
        const last = result.items.at(-1);
        if (last !== undefined && (newest.current === undefined || last.messageId > newest.current)) {
          newest.current = last.messageId;
        }
        if (last !== undefined) void markRead(last.messageId);
        else onRead(place);
      }, onError)
      .finally(() => setLoading(false));

    const here = (frame: { room?: string; conversationId?: string }) => samePlace(placeOf(frame), place);
    const off = [
      session.on('message', (message) => {
        if (!here(message)) return;
        add(message);
        void markRead(message.messageId);
      }),
      session.on('message_deleted', (frame) => {
        if (here(frame)) tombstone(frame.messageId);
      }),
      // After a reconnect, what was sent meanwhile is read with `after` from the newest message shown.
      session.on('state', (change) => {
        if (change.state !== 'open' || !change.reconnected || newest.current === undefined) return;
        api.messagesAfter(place, newest.current).then((missed) => {
          for (const message of missed) add(message);
          const last = missed.at(-1);
          if (last !== undefined) void markRead(last.messageId);
        }, onError);
      }),
      session.on('user_joined', (frame) => {
        if (here(frame) && frame.username !== me) notice(`${frame.username} joined`);
      }),
      session.on('user_left', (frame) => {
        if (here(frame) && frame.username !== me) notice(`${frame.username} left`);
      }),
    ];
    return () => {
      for (const remove of off) remove();
    };
  }, [api, session, place, me, add, notice, tombstone, markRead, onRead, onError]);

  const loadOlder = useCallback(async () => {
    if (older === null || loading) return;
    setLoading(true);
    try {
      const options = { limit: PAGE_SIZE, before: older };
      const result =
        'room' in place
          ? await api.roomMessages(place.room, options)
          : await api.conversationMessages(place.conversationId, options);
      setEntries((list) => [
        ...result.items
          .filter((message) => !list.some((entry) => entry.id === message.messageId))
          .map((message): Entry => ({ kind: 'message', id: message.messageId, message })),
        ...list,
      ]);
      setOlder(result.nextCursor);
    } catch (error) {
      onError(error);
    } finally {
      setLoading(false);
    }
  }, [api, place, older, loading, onError]);

  return { entries, hasOlder: older !== null, loading, loadOlder, add, tombstone };
}
