import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatApi, ChatSession, Message, MyRoom } from '../../lib/client/index.ts';
import { Composer } from './Composer.tsx';
import { ConversationActions } from './ConversationActions.tsx';
import { MessageItem } from './MessageItem.tsx';
import { PeoplePanel } from './PeoplePanel.tsx';
import { type Place, placeOf, samePlace } from './place.ts';
import { useHistory } from './use-history.ts';

interface Props {
  api: ChatApi;
  session: ChatSession;
  place: Place;
  title: string;
  me: string;
  /** The room, when the place is one of the user's rooms (its role gives the moderation actions). */
  room: MyRoom | undefined;
  onRead: (place: Place) => void;
  /** Left (or deleted) the room, or left the group. */
  onLeft: () => void;
  /** A group one may leave (a direct conversation cannot be left). */
  group: boolean;
  onError: (error: unknown) => void;
}

/** How close to the top (px) scrolling loads the older page. */
const LOAD_OLDER_AT = 40;
const TYPING_SHOWN_MS = 3000;

/** One room or conversation: its log (older pages load as one scrolls up), who is typing, and the composer. */
export function MessagePane(props: Props) {
  const { api, session, place, title, me, room, onError } = props;
  const history = useHistory(api, session, place, me, props.onRead, onError);
  const heading = useRef<HTMLHeadingElement>(null);
  const log = useRef<HTMLDivElement>(null);
  const fromBottom = useRef(0);
  const [typing, setTyping] = useState<Record<string, number>>({});
  const attempt = useCallback((action: () => Promise<unknown>) => void action().catch(onError), [onError]);

  // Switching to a place moves focus to its heading, so that keyboard and screen reader users land there.
  useEffect(() => heading.current?.focus(), []);

  // Newest at the bottom: stay there as messages arrive, and keep one's place when older ones are prepended.
  useLayoutEffect(() => {
    const element = log.current;
    if (element !== null)
      element.scrollTop = element.scrollHeight - element.clientHeight - fromBottom.current;
  }, [history.entries]);

  useEffect(() => {
    const off = session.on('typing', (frame) => {
      if (frame.username === me || !samePlace(placeOf(frame), place)) return;
      setTyping((current) => ({ ...current, [frame.username]: Date.now() + TYPING_SHOWN_MS }));
      setTimeout(() => setTyping((current) => ({ ...current })), TYPING_SHOWN_MS + 50);
    });
    const stopTyping = session.on('message', (message) => {
      setTyping(({ [message.from]: _, ...rest }) => rest);
    });
    return () => {
      off();
      stopTyping();
    };
  }, [session, place, me]);
  const typers = Object.entries(typing)
    .filter(([, until]) => until > Date.now())
    .map(([username]) => username);

  const scrolled = () => {
    const element = log.current;
    if (element === null) return;
    fromBottom.current = element.scrollHeight - element.clientHeight - element.scrollTop;
    if (element.scrollTop < LOAD_OLDER_AT && history.hasOlder) void history.loadOlder();
  };

  const send = async (text: string): Promise<boolean> => {
    try {
      const ack =
        'room' in place
          ? await session.sendToRoom(place.room, text)
          : await session.sendToConversation(place.conversationId, text);
      // The sender gets an ack, not its own message: it is added here.
      history.add({ ...place, messageId: ack.messageId, from: me, text, sentAt: ack.sentAt } as Message);
      fromBottom.current = 0;
      return true;
    } catch (error) {
      onError(error);
      return false;
    }
  };
  const moderator = room?.role === 'owner' || room?.role === 'moderator';

  return (
    <>
      <h2 tabIndex={-1} ref={heading}>
        {title}
      </h2>
      <div class={room === undefined ? '' : 'pane'}>
        <section aria-label="Messages">
          {history.hasOlder ? (
            <button
              type="button"
              class="secondary"
              onClick={() => void history.loadOlder()}
              disabled={history.loading}
            >
              Load older messages
            </button>
          ) : (
            <p class="muted">{history.loading ? 'Loading…' : 'This is the start of the history.'}</p>
          )}
          <div
            class="log"
            role="log"
            aria-live="polite"
            aria-label={`Messages in ${title}`}
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
            tabIndex={0}
            ref={log}
            onScroll={scrolled}
          >
            <ol class="entries">
              {history.entries.map((entry) => (
                <MessageItem
                  key={entry.id}
                  entry={entry}
                  canDelete={(from) => from === me || moderator}
                  onDelete={(messageId) =>
                    attempt(async () => {
                      await api.deleteMessage(place, messageId);
                      // The others get `message_deleted`; the one who deleted it gets only the answer.
                      history.tombstone(messageId);
                    })
                  }
                />
              ))}
            </ol>
          </div>
          <p class="typing" aria-live="polite">
            {typers.length === 0 ? '' : `${typers.join(', ')} ${typers.length === 1 ? 'is' : 'are'} typing…`}
          </p>
          <Composer label={`Message ${title}`} onSend={send} onTyping={() => session.typing(place)} />
        </section>
        {room !== undefined ? (
          <PeoplePanel
            api={api}
            session={session}
            room={room}
            me={me}
            attempt={attempt}
            onLeft={props.onLeft}
          />
        ) : props.group && 'conversationId' in place ? (
          <ConversationActions
            api={api}
            conversationId={place.conversationId}
            attempt={attempt}
            onLeft={props.onLeft}
          />
        ) : null}
      </div>
    </>
  );
}
