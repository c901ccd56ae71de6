import { useCallback, useEffect, useRef } from 'preact/hooks';
import { type ChatApi, isChatClientError } from '../../lib/client/index.ts';
import { AccountPanel } from './AccountPanel.tsx';
import { ConversationsPanel } from './ConversationsPanel.tsx';
import type { WebConfig } from './config.ts';
import { MessagePane } from './MessagePane.tsx';
import type { Place } from './place.ts';
import { RoomsPanel } from './RoomsPanel.tsx';
import { useChat } from './use-chat.ts';

interface Props {
  api: ChatApi;
  config: WebConfig;
  username: string;
  onSignedOut: () => void;
  onError: (error: unknown) => void;
}

/** The signed-in layout: header (account), navigation (rooms, conversations), main (the open place). */
export function ChatShell({ api, config, username, onSignedOut, onError: showError }: Props) {
  // A 401 from anything means the session has ended (logged out everywhere, expired, the account deleted
  // elsewhere): back to the log-in screen, with the reason in the alert region.
  const onError = useCallback(
    (error: unknown) => {
      showError(error);
      if (isChatClientError(error) && error.code === 'UNAUTHORIZED') onSignedOut();
    },
    [showError, onSignedOut],
  );
  const chat = useChat(api, config.webSocketUrl, username, onError);
  const { state } = chat;
  const active = state.active;
  const attempt = useCallback((action: () => Promise<unknown>) => action().catch(onError), [onError]);
  const left = () => {
    chat.open(undefined);
    attempt(() => Promise.all([chat.reloadRooms(), chat.reloadConversations()]));
  };
  const room =
    active !== undefined && 'room' in active ? state.myRooms.find((r) => r.name === active.room) : undefined;
  const conversation =
    active !== undefined && 'conversationId' in active
      ? state.conversations.find((c) => c.conversationId === active.conversationId)
      : undefined;
  const title =
    room !== undefined
      ? `#${room.name}`
      : conversation === undefined
        ? ''
        : (conversation.title ?? conversation.participants.filter((p) => p !== username).join(', '));

  return (
    <>
      <header class="top">
        <h1>Chat</h1>
        <p class="muted">
          Signed in as <strong>{username}</strong>
          <span aria-live="polite">{state.status === 'open' ? '' : ` (${state.status})`}</span>
        </p>
        <AccountPanel api={api} session={state.session} onSignedOut={onSignedOut} onError={onError} />
      </header>
      <div class="layout">
        <nav class="side" aria-label="Rooms and conversations">
          <RoomsPanel chat={chat} api={api} attempt={attempt} />
          <ConversationsPanel chat={chat} api={api} me={username} attempt={attempt} />
        </nav>
        <main class="content" aria-label={title === '' ? 'Welcome' : title}>
          {active === undefined || state.session === undefined || title === '' ? (
            <Welcome ready={state.session !== undefined} />
          ) : (
            <MessagePane
              key={JSON.stringify(active)}
              api={api}
              session={state.session}
              place={active as Place}
              title={title}
              me={username}
              room={room}
              onRead={chat.markedRead}
              onLeft={left}
              group={conversation?.kind === 'group'}
              onError={onError}
            />
          )}
        </main>
      </div>
    </>
  );
}

/** After logging in, or leaving the open place: focus goes to this heading, as it does to a place's. */
function Welcome({ ready }: { ready: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <>
      <h2 tabIndex={-1} ref={heading}>
        Welcome
      </h2>
      <p>{ready ? 'Pick a room or a conversation, or start one, in the navigation.' : 'Connecting…'}</p>
    </>
  );
}
