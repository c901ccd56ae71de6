import { useState } from 'preact/hooks';
import type { ChatApi, ChatSession } from '../../lib/client/index.ts';

interface Props {
  api: ChatApi;
  session: ChatSession | undefined;
  onSignedOut: () => void;
  onError: (error: unknown) => void;
}

/** Log out (this session, or every session of the account), and delete the account after a confirmation. */
export function AccountPanel({ api, session, onSignedOut, onError }: Props) {
  const [confirming, setConfirming] = useState(false);
  const end = async (action: () => Promise<void>) => {
    try {
      await action();
      await session?.close();
      onSignedOut();
    } catch (error) {
      onError(error);
    }
  };
  const deleteAccount = (event: Event) => {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget as HTMLFormElement).get('password') ?? '');
    void end(() => api.deleteAccount(password));
  };

  return (
    <details class="account">
      <summary>Account</summary>
      <div class="actions">
        <button type="button" onClick={() => void end(() => api.logout())}>
          Log out
        </button>
        <button type="button" class="secondary" onClick={() => void end(() => api.logoutAll())}>
          Log out everywhere
        </button>
        <button type="button" class="danger" onClick={() => setConfirming(true)} aria-expanded={confirming}>
          Delete account…
        </button>
      </div>
      {confirming ? (
        <form onSubmit={deleteAccount} aria-label="Delete the account">
          <p>This deletes your account and signs you out everywhere. It cannot be undone.</p>
          <label for="delete-password">Your password, to confirm</label>
          <input
            id="delete-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
          />
          <div class="actions">
            <button type="submit" class="danger">
              Delete my account
            </button>
            <button type="button" class="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
    </details>
  );
}
