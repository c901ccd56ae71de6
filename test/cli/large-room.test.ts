import { afterAll, expect, it } from 'vitest';
import { MessageLog } from '../../lib/client/cli/message-actions.ts';
import { type ChatWindow, runSlashCommand } from '../../lib/client/cli/slash-commands.ts';
import { ChatSession } from '../../lib/client/index.ts';
import { newRoom, signUp } from '../client/helpers.ts';
import { startTestStack } from '../support/local-stack.ts';

// A room is "large" above one present user here, so that two sessions make one.
const stack = await startTestStack({ environment: { PRESENCE_LIST_MAX: '1' } });
const sessions: ChatSession[] = [];
afterAll(async () => {
  await Promise.all(sessions.map((session) => session.close()));
  await stack.stop();
});

/**
 * The chat window's `/who` over a real session and client. Slash commands are read only from a terminal, which
 * the CLI harness's child processes do not have: the command runs here on a window that records its lines.
 */
it('/who in a room too large for joined to list pages who is present over HTTP', async () => {
  const [ann, ben] = await Promise.all([signUp(stack.httpUrl, 'ann'), signUp(stack.httpUrl, 'ben')]);
  const room = await newRoom(ann.api, 'crowd');
  for (const user of [ann, ben]) {
    const session = await ChatSession.connect({ url: stack.wsUrl, auth: user.api });
    sessions.push(session);
    await session.join(room);
  }
  const benSession = sessions[1] as ChatSession;
  expect(benSession.members(room)).toHaveLength(1);

  const lines: string[] = [];
  const window: ChatWindow = {
    session: benSession,
    api: ben.api,
    target: { kind: 'room', room },
    me: ben.username,
    print: (line) => lines.push(line),
    printError: (prefix, error) => lines.push(`${prefix}${String(error)}`),
    rememberMembers: () => {},
    sent: async () => {},
    finish: () => {},
    place: { room },
    log: new MessageLog(),
    reply: () => {},
  };
  await runSlashCommand('/who', window);
  const everyone = [ann.username, ben.username].sort((x, y) =>
    x.toLowerCase().localeCompare(y.toLowerCase()),
  );
  expect(lines).toEqual([`In ${room}: ${everyone.join(', ')}`]);
});
