import { describe, expect, it } from 'vitest';
import type { ConnectionRepository } from '../../lambdas/data/connections.ts';
import type { SessionRepository } from '../../lambdas/data/sessions.ts';
import { endSessions } from '../../lambdas/domain/sessions.ts';

/*
 * The window under test cannot be produced on demand against the local stack: a handshake that passed its
 * second session check and is still inside `$connect` when the logout's close arrives (API Gateway answers such
 * a close as Gone). So the closer and the connection records are fakes here: the closer answers `gone` a given
 * number of times before the connection counts as open, and a record disappears when its `$disconnect` runs.
 */
function fakes(options: { goneTimes: number; recordRemovedAfterCloses?: number }) {
  const closes: string[] = [];
  let recordExists = true;
  const connections = {
    sessionsOfConnections: async () => [{ connectionId: 'c1', sessionId: 's1' }],
    get: async () => (recordExists ? { connectionId: 'c1' } : undefined),
  } as unknown as ConnectionRepository;
  const closer = {
    close: async (connectionId: string) => {
      closes.push(connectionId);
      if (closes.length === options.recordRemovedAfterCloses) recordExists = false;
      return closes.length > options.goneTimes ? ('closed' as const) : ('gone' as const);
    },
  };
  const sessions = { delete: async () => {} } as unknown as SessionRepository;
  return { deps: { sessions, connections, closer }, closes };
}

describe('ending a session closes its connections', () => {
  it('once: a connection closed at the first try is not closed again', async () => {
    const { deps, closes } = fakes({ goneTimes: 0 });
    await endSessions(deps, 'alice', ['s1']);
    expect(closes).toEqual(['c1']);
  });

  it('again, while its record remains, when API Gateway did not know it as open yet', async () => {
    const { deps, closes } = fakes({ goneTimes: 2 });
    await endSessions(deps, 'alice', ['s1']);
    expect(closes).toEqual(['c1', 'c1', 'c1']);
  });

  it('no more once its record is gone: its $disconnect ran, or its handshake was refused', async () => {
    const { deps, closes } = fakes({ goneTimes: 10, recordRemovedAfterCloses: 1 });
    await endSessions(deps, 'alice', ['s1']);
    expect(closes).toEqual(['c1']);
  });

  it('at most 4 times in all, however long it stays unknown', async () => {
    const { deps, closes } = fakes({ goneTimes: 10 });
    await endSessions(deps, 'alice', ['s1']);
    expect(closes).toHaveLength(4);
  });
});
