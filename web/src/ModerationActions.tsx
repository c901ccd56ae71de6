import type { ChatApi, MyRoom, RoomMember } from '../../lib/client/index.ts';

interface Props {
  api: ChatApi;
  room: MyRoom;
  member: RoomMember;
  attempt: (action: () => Promise<unknown>) => void;
  onDone: () => void;
}

interface Action {
  readonly label: string;
  /** What a screen reader says: the action and whom it is done to. */
  readonly name: string;
  readonly danger?: boolean;
  readonly run: () => Promise<unknown>;
}

/** Kick, ban, mute (or unmute) a member; the owner also makes them a moderator or a member again. */
export function ModerationActions({ api, room, member, attempt, onDone }: Props) {
  const who = member.username;
  const moderator = member.role === 'moderator';
  const actions: Action[] = [
    { label: 'Kick', name: `Kick ${who}`, run: () => api.kick(room.name, who) },
    { label: 'Ban', name: `Ban ${who}`, danger: true, run: () => api.ban(room.name, who) },
    member.mutedUntil === undefined
      ? { label: 'Mute', name: `Mute ${who}`, run: () => api.mute(room.name, who) }
      : { label: 'Unmute', name: `Unmute ${who}`, run: () => api.unmute(room.name, who) },
  ];
  if (room.role === 'owner') {
    actions.push({
      label: moderator ? 'Make member' : 'Make moderator',
      name: moderator ? `Make ${who} a member` : `Make ${who} a moderator`,
      run: () => api.setRole(room.name, who, moderator ? 'member' : 'moderator'),
    });
  }
  return (
    <div class="actions">
      {actions.map((action) => (
        <button
          key={action.label}
          type="button"
          class={action.danger ? 'danger' : 'secondary'}
          aria-label={action.name}
          onClick={() =>
            attempt(async () => {
              await action.run();
              onDone();
            })
          }
        >
          {action.label}
        </button>
      ))}
    </div>
  );
}
