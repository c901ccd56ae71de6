import { useEffect, useState } from 'preact/hooks';
import type { ChatApi, ChatSession, Invitation } from '../../lib/client/index.ts';

interface Props {
  api: ChatApi;
  session: ChatSession | undefined;
  attempt: (action: () => Promise<unknown>) => void;
  /** Joins the room (membership and presence) and opens it. */
  onAccept: (room: string) => Promise<void>;
}

/** Invitations to private rooms: listed at start and as `invited` frames arrive; accepting joins the room. */
export function InvitationsPanel({ api, session, attempt, onAccept }: Props) {
  const [invitations, setInvitations] = useState<readonly Invitation[]>([]);
  useEffect(() => {
    const load = () => attempt(async () => setInvitations((await api.myInvitations({ limit: 100 })).items));
    load();
    return session?.on('invited', load);
  }, [api, session, attempt]);
  if (invitations.length === 0) return null;
  return (
    <section aria-labelledby="invitations-heading">
      <h3 id="invitations-heading">Invitations</h3>
      <ul>
        {invitations.map((invitation) => (
          <li key={invitation.room}>
            <span>
              #{invitation.room} <span class="muted">from {invitation.invitedBy}</span>
            </span>
            <button
              type="button"
              class="secondary"
              aria-label={`Accept the invitation to #${invitation.room}`}
              onClick={() =>
                attempt(async () => {
                  await onAccept(invitation.room);
                  setInvitations((list) => list.filter((other) => other.room !== invitation.room));
                })
              }
            >
              Accept
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
