/** `chat role`, `chat kick`, `chat ban`, `chat unban`, `chat mute <room> <user>` and `chat rooms delete`. */
import { describe, expect, it } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';
import { uniqueRoomName } from '../support/accounts.ts';
import { ChatProcess, loggedInChat, runChat, startCliTestStack } from './harness.ts';

const stack = await startCliTestStack();

/** A live notice line, `[HH:MM] * text`, exactly. */
const notice = (text: string) => new RegExp(`^\\[\\d\\d:\\d\\d\\] \\* ${text}$`);

/** The typed client of a user `loggedInChat` made: set-up steps without a child process each. */
async function apiOf(account: { username: string; password: string }): Promise<ChatApi> {
  const anonymous = new ChatApi({ baseUrl: stack.httpUrl });
  return anonymous.withLogin(await anonymous.login(account.username, account.password));
}

/** An owner, a moderator and a member of a fresh public room, each with their `chat` environment. */
async function moderatedRoom() {
  const [owner, moderator, member] = await Promise.all([
    loggedInChat(stack, 'own'),
    loggedInChat(stack, 'mod'),
    loggedInChat(stack, 'mem'),
  ]);
  const room = uniqueRoomName('modcli');
  const ownerApi = await apiOf(owner.account);
  await ownerApi.createRoom(room);
  await Promise.all([moderator, member].map(async ({ account }) => (await apiOf(account)).joinRoom(room)));
  return { room, owner, moderator, member, mod: moderator.account.username, mem: member.account.username };
}

describe('moderation from the CLI', () => {
  it('makes a moderator (the owner only), who kicks a member out of their open window', async () => {
    const { room, owner, moderator, member, mod, mem } = await moderatedRoom();

    const [promoted, notOwner, badRole] = await Promise.all([
      runChat(['role', room, mod, 'moderator'], owner.env),
      runChat(['role', room, mem, 'moderator'], member.env),
      runChat(['role', room, mem, 'owner'], owner.env),
    ]);
    expect(promoted).toMatchObject({
      code: 0,
      stdout: `${mod} is now a moderator of ${room}.\n`,
      stderr: '',
    });
    expect(notOwner.code).toBe(1);
    expect(notOwner.stderr).toMatch(/\(FORBIDDEN\)\n$/);
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toMatch(
      /value 'owner' is invalid for argument 'role'. Allowed choices are moderator, member\./,
    );

    // Kicked while chatting: the window says so and ends.
    const window = ChatProcess.start(['join', room], member.env);
    await window.waitForLine(/^Here now: /);
    const kicked = await runChat(['kick', room, mem], moderator.env);
    expect(kicked).toMatchObject({ code: 0, stdout: `Removed ${mem} from ${room}.\n` });
    await window.waitForLine(notice(`you were removed from ${room} by ${mod}`));
    expect((await window.result()).code).toBe(1);
  });

  it('mutes a member for a while or until --off, and bans them until lifted or for a while', async () => {
    const { room, owner, member, mem } = await moderatedRoom();

    const muted = await runChat(['mute', room, mem, '--for', '10m'], owner.env);
    expect(muted).toMatchObject({ code: 0, stderr: '' });
    expect(muted.stdout).toMatch(
      new RegExp(
        `^Muted ${mem} in ${room} for 10m \\(until [-\\d :]+\\): they still read it, but cannot post\\.\\n$`,
      ),
    );
    const refused = await runChat(['send', room, 'hello?'], member.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\(MUTED\)\n$/);
    const unmuted = await runChat(['mute', room, mem, '--off'], owner.env);
    expect(unmuted.stdout).toBe(`Unmuted ${mem} in ${room}.\n`);
    expect((await runChat(['send', room, 'hello again'], member.env)).code).toBe(0);

    // Banned with a reason, until lifted: joining is refused until `chat unban`.
    const banned = await runChat(['ban', room, mem, '--reason', 'spam', '--json'], owner.env);
    expect(JSON.parse(banned.stdout)).toMatchObject({ room, username: mem, reason: 'spam' });
    const bannedJoin = await runChat(['join', room], member.env, { input: '' });
    expect(bannedJoin.code).toBe(1);
    expect(bannedJoin.stderr).toMatch(/\(BANNED\)\n$/);
    const unbanned = await runChat(['unban', room, mem], owner.env);
    expect(unbanned.stdout).toBe(`${mem} is not banned from ${room}.\n`);
    const timed = await runChat(['ban', room, mem, '--for', '2h'], owner.env);
    expect(timed.stdout).toMatch(
      new RegExp(`^Banned ${mem} from ${room} for 2h \\(until [-\\d :]+\\)\\.\\n$`),
    );
  });

  it('refuses a malformed duration, and --for without a room member, before sending anything', async () => {
    const { env } = await loggedInChat(stack, 'dur');
    const [malformed, conversation] = await Promise.all([
      runChat(['ban', 'any-room', 'someone', '--for', '90x'], env),
      runChat(['mute', '@someone', '--for', '1h'], env),
    ]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(
      /"90x" is not a duration: give a whole number and a unit: 30s, 10m, 2h, 1d/,
    );
    expect(conversation.code).toBe(1);
    expect(conversation.stderr).toMatch(/--for mutes a member of a room: chat mute <room> <user> --for 10m/);
  });

  it('deletes a room after confirmation (or --yes); an open window hears it and ends', async () => {
    const [owner, other] = await Promise.all([loggedInChat(stack, 'own'), loggedInChat(stack, 'oth')]);
    const room = uniqueRoomName('doomed');
    expect((await runChat(['rooms', 'create', room], owner.env)).code).toBe(0);
    const window = ChatProcess.start(['join', room], other.env);
    await window.waitForLine(/^Here now: /);

    const [declined, silent, notOwner] = await Promise.all([
      runChat(['rooms', 'delete', room], owner.env, { input: 'n\n' }),
      runChat(['rooms', 'delete', room], owner.env, { input: '' }),
      runChat(['rooms', 'delete', room, '--yes'], other.env),
    ]);
    for (const refused of [declined, silent]) {
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(
        new RegExp(`^Delete the room ${room}, with its history, members and bans, for good\\? \\[y/N\\] `),
      );
      expect(refused.stderr).toBe(`Error: the room ${room} was not deleted (NOT_CONFIRMED)\n`);
    }
    expect(notOwner.stderr).toMatch(/\(FORBIDDEN\)\n$/);
    expect((await runChat(['members', room], owner.env)).code).toBe(0);

    const deleted = await runChat(['rooms', 'delete', room], owner.env, { input: 'yes\n' });
    expect(deleted).toMatchObject({ code: 0, stderr: '' });
    expect(deleted.stdout).toMatch(new RegExp(`\\[y/N\\] Deleted the room ${room}\\.\\n$`));
    await window.waitForLine(notice(`${room} was deleted by its owner`));
    expect((await window.result()).code).toBe(1);

    const again = await runChat(['rooms', 'delete', room, '--yes'], owner.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/\(ROOM_NOT_FOUND\)\n$/);
  });
});
