import { useEffect, useState } from 'preact/hooks';
import type { ChatApi, ChatSession, MyRoom, RoomMember } from '../../lib/client/index.ts';
import { ModerationActions } from './ModerationActions.tsx';
import { OneFieldForm } from './OneFieldForm.tsx';

interface Props {
  api: ChatApi;
  session: ChatSession;
  room: MyRoom;
  me: string;
  attempt: (action: () => Promise<unknown>) => void;
  onLeft: () => void;
}

/** Who is in the room now (presence, live), its members and roles, and the owner's and moderators' actions. */
export function PeoplePanel({ api, session, room, me, attempt, onLeft }: Props) {
  const [present, setPresent] = useState<string[]>(() => session.members(room.name));
  const [members, setMembers] = useState<readonly RoomMember[]>([]);
  const moderator = room.role === 'owner' || room.role === 'moderator';

  useEffect(() => {
    const update = (frame: { room: string }) => {
      if (frame.room === room.name) setPresent(session.members(room.name));
    };
    setPresent(session.members(room.name));
    const off = [
      session.on('joined', update),
      session.on('user_joined', update),
      session.on('user_left', update),
    ];
    return () => {
      for (const remove of off) remove();
    };
  }, [session, room.name]);

  const loadMembers = () =>
    attempt(async () => setMembers((await api.roomMembers(room.name, { limit: 100 })).items));
  useEffect(loadMembers, [api, room.name]);

  const leave = () =>
    attempt(async () => {
      await api.leaveRoom(room.name);
      await session.leave(room.name).catch(() => undefined);
      onLeft();
    });
  const invite = (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const username = String(new FormData(form).get('username') ?? '').trim();
    attempt(async () => {
      await api.invite(room.name, username);
      form.reset();
    });
  };
  const remove = () =>
    attempt(async () => {
      if (!window.confirm(`Delete #${room.name} and all its messages for everyone?`)) return;
      await api.deleteRoom(room.name);
      onLeft();
    });

  return (
    <aside class="people" aria-labelledby="people-heading">
      <h3 id="people-heading">Here now ({present.length})</h3>
      <ul aria-label="Present in the room" data-testid="present">
        {present.map((username) => (
          <li key={username}>{username}</li>
        ))}
      </ul>
      <h3>Members</h3>
      <ul aria-label="Members and roles">
        {members.map((member) => (
          <li key={member.username}>
            {member.username}{' '}
            <span class="muted">
              ({member.role}
              {member.mutedUntil ? ', muted' : ''})
            </span>
            {moderator && member.username !== me && member.role !== 'owner' ? (
              <ModerationActions
                api={api}
                room={room}
                member={member}
                attempt={attempt}
                onDone={loadMembers}
              />
            ) : null}
          </li>
        ))}
      </ul>
      {moderator && room.visibility === 'private' ? (
        <OneFieldForm
          formLabel="Invite to the room"
          id="invite-username"
          name="username"
          label="Invite a user"
          button="Invite"
          onSubmit={invite}
        />
      ) : null}
      <div class="actions">
        {room.role === 'owner' ? (
          <button type="button" class="danger" onClick={remove}>
            Delete room
          </button>
        ) : (
          <button type="button" class="secondary" onClick={leave}>
            Leave room
          </button>
        )}
      </div>
    </aside>
  );
}
