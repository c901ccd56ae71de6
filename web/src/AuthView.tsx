import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatApi, LoginResult } from '../../lib/client/index.ts';

interface Props {
  api: ChatApi;
  onSignedIn: (login: LoginResult) => void;
  onError: (error: unknown) => void;
}

/** Log in, or sign up (then log in with the same details). */
export function AuthView({ api, onSignedIn, onError }: Props) {
  const [mode, setMode] = useState<'login' | 'signup'>('login');
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [mode]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const username = String(data.get('username') ?? '');
    const password = String(data.get('password') ?? '');
    setBusy(true);
    try {
      if (mode === 'signup')
        await api.register({ username, email: String(data.get('email') ?? ''), password });
      onSignedIn(await api.login(username, password));
    } catch (error) {
      onError(error);
      setBusy(false);
    }
  };

  const signup = mode === 'signup';
  return (
    <main class="auth" aria-labelledby="auth-heading">
      <h1 id="auth-heading" tabIndex={-1} ref={heading}>
        {signup ? 'Create an account' : 'Log in to the chat'}
      </h1>
      <form onSubmit={submit} aria-busy={busy}>
        <label for="auth-username">Username</label>
        <input id="auth-username" name="username" autoComplete="username" required />
        {signup && (
          <>
            <label for="auth-email">Email</label>
            <input id="auth-email" name="email" type="email" autoComplete="email" required />
          </>
        )}
        <label for="auth-password">Password</label>
        <input
          id="auth-password"
          name="password"
          type="password"
          autoComplete={signup ? 'new-password' : 'current-password'}
          required
        />
        <div>
          <button type="submit" disabled={busy}>
            {signup ? 'Sign up' : 'Log in'}
          </button>
        </div>
      </form>
      <p>
        {signup ? 'Already have an account? ' : 'New here? '}
        <button type="button" class="link" onClick={() => setMode(signup ? 'login' : 'signup')}>
          {signup ? 'Log in instead' : 'Create an account'}
        </button>
      </p>
    </main>
  );
}
