import type { ChatApi, MyRoom, RoomMember } from '../../lib/client/index.ts';

interface Props {
  api: ChatApi;
  room: MyRoom;
  member: RoomMember;
  attempt: (action: () => Promise<unknown>) => void;
  onDone: () => void;
}

/** Kick, ban, mute (or unmute) a member; the owner also makes them a moderator or a member again. */
export function ModerationActions({ api, room, member, attempt, onDone }: Props) {
  const who = member.username;
  const act = (action: () => Promise<unknown>) =>
    attempt(async () => {
      await action();
      onDone();
    });
  return (
    <div class="actions">
      <button
        type="button"
        class="secondary"
        aria-label={`Kick ${who}`}
        onClick={() => act(() => api.kick(room.name, who))}
      >
        Kick
      </button>
      <button
        type="button"
        class="danger"
        aria-label={`Ban ${who}`}
        onClick={() => act(() => api.ban(room.name, who))}
      >
        Ban
      </button>
      {member.mutedUntil === undefined ? (
        <button
          type="button"
          class="secondary"
          aria-label={`Mute ${who}`}
          onClick={() => act(() => api.mute(room.name, who))}
        >
          Mute
        </button>
      ) : (
        <button
          type="button"
          class="secondary"
          aria-label={`Unmute ${who}`}
          onClick={() => act(() => api.unmute(room.name, who))}
        >
          Unmute
        </button>
      )}
      {room.role === 'owner' ? (
        <button
          type="button"
          class="secondary"
          aria-label={member.role === 'moderator' ? `Make ${who} a member` : `Make ${who} a moderator`}
          onClick={() =>
            act(() => api.setRole(room.name, who, member.role === 'moderator' ? 'member' : 'moderator'))
          }
        >
          {member.role === 'moderator' ? 'Make member' : 'Make moderator'}
        </button>
      ) : null}
    </div>
  );
}
