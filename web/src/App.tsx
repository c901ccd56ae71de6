import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ChatApi, type LoginResult } from '../../lib/client/index.ts';
import { AuthView } from './AuthView.tsx';
import { ChatShell } from './ChatShell.tsx';
import type { WebConfig } from './config.ts';
import { describeError } from './describe-error.ts';
import { ErrorRegion } from './ErrorRegion.tsx';
import { forgetLogin, savedLogin, saveLogin } from './tokens.ts';

/** Signed out: the forms; signed in: the chat. Errors of either go to one alert region. */
export function App({ config }: { config: WebConfig }) {
  const [login, setLogin] = useState<LoginResult | undefined>(savedLogin);
  const [error, setError] = useState('');
  const report = useCallback((failure: unknown) => setError(describeError(failure)), []);
  const clearError = useCallback(() => setError(''), []);
  const anonymous = useMemo(() => new ChatApi({ baseUrl: config.httpApiUrl }), [config]);
  const api = useMemo(
    () => (login === undefined ? undefined : anonymous.withLogin(login, saveLogin)),
    // A refresh renews the tokens inside the same client (and saves them): only a new login makes a new one.
    [anonymous, login],
  );

  const signedIn = (result: LoginResult) => {
    saveLogin(result);
    setError('');
    setLogin(result);
  };
  // Stable: the chat's session lives as long as the functions it was given.
  const signedOut = useCallback(() => {
    forgetLogin();
    setLogin(undefined);
  }, []);
  useEffect(() => {
    document.title = login === undefined ? 'Chat: sign in' : `Chat: ${login.user.username}`;
  }, [login]);

  return (
    <>
      <ErrorRegion message={error} onDismiss={clearError} />
      {login === undefined || api === undefined ? (
        <AuthView api={anonymous} onSignedIn={signedIn} onError={report} />
      ) : (
        <ChatShell
          api={api}
          config={config}
          username={login.user.username}
          onSignedOut={signedOut}
          onError={report}
        />
      )}
    </>
  );
}
