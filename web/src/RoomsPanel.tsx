import { useState } from 'preact/hooks';
import type { ChatApi, Room } from '../../lib/client/index.ts';
import { InvitationsPanel } from './InvitationsPanel.tsx';
import { placeKey, samePlace } from './place.ts';
import { UnreadBadge } from './UnreadBadge.tsx';
import type { Chat } from './use-chat.ts';

interface Props {
  chat: Chat;
  api: ChatApi;
  attempt: (action: () => Promise<unknown>) => void;
}

/** The rooms one is in (open one, unread badges), creating a room, and every room one may join. */
export function RoomsPanel({ chat, api, attempt }: Props) {
  const { state } = chat;
  const [allRooms, setAllRooms] = useState<Room[]>();
  const joinAndOpen = async (name: string) => {
    await state.session?.join(name);
    await chat.reloadRooms();
    chat.open({ room: name });
  };
  const create = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    attempt(async () => {
      const room = await api.createRoom(String(data.get('name') ?? ''), {
        visibility: data.get('visibility') === 'private' ? 'private' : 'public',
      });
      form.reset();
      await joinAndOpen(room.name);
    });
  };
  const join = (name: string) =>
    attempt(async () => {
      await api.joinRoom(name);
      setAllRooms(undefined);
      await joinAndOpen(name);
    });
  const mine = new Set(state.myRooms.map((room) => room.name));

  return (
    <section aria-labelledby="rooms-heading">
      <h2 id="rooms-heading">Your rooms</h2>
      {state.myRooms.length === 0 ? <p class="muted">None yet.</p> : null}
      <ul>
        {state.myRooms.map((room) => {
          const place = { room: room.name };
          return (
            <li key={room.name}>
              <button
                type="button"
                class="link"
                aria-current={samePlace(state.active, place) ? 'page' : undefined}
                onClick={() => chat.open(place)}
              >
                #{room.name}
              </button>
              <UnreadBadge count={state.unread[placeKey(place)]} />
            </li>
          );
        })}
      </ul>
      <form class="inline" onSubmit={create} aria-label="Create a room">
        <div>
          <label for="new-room">New room</label>
          <input id="new-room" name="name" required size={12} />
        </div>
        <div>
          <label for="new-room-visibility">Visibility</label>
          <select id="new-room-visibility" name="visibility">
            <option value="public">public</option>
            <option value="private">private</option>
          </select>
        </div>
        <button type="submit">Create</button>
      </form>
      <InvitationsPanel
        api={api}
        session={state.session}
        attempt={attempt}
        onAccept={async (name) => {
          await api.joinRoom(name);
          await joinAndOpen(name);
        }}
      />
      <h3>Other rooms</h3>
      {allRooms === undefined ? (
        <button
          type="button"
          class="secondary"
          onClick={() => attempt(async () => setAllRooms(await api.listAllRooms()))}
        >
          Show rooms to join
        </button>
      ) : (
        <ul aria-label="Rooms to join">
          {allRooms.filter((room) => !mine.has(room.name)).length === 0 ? (
            <li class="muted">No other rooms.</li>
          ) : null}
          {allRooms
            .filter((room) => !mine.has(room.name))
            .map((room) => (
              <li key={room.name}>
                <span>#{room.name}</span>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => join(room.name)}
                  aria-label={`Join #${room.name}`}
                >
                  Join
                </button>
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}
