/**
 * Moderating a room from the command line: `chat kick`, `chat ban`, `chat unban`, `chat role`, the room form
 * of `chat mute` (lib/client/cli/push.ts dispatches to `muteMember`) and `chat rooms delete`. The server decides
 * who may act on whom; its refusals (`FORBIDDEN`, `NOT_A_MEMBER`, `ROOM_NOT_FOUND`...) print as every error does.
 */
import { Argument, type Command } from 'commander';
import { ChatClientError } from '../errors.ts';
import type { ChatApi } from '../http.ts';
import type { AssignableRole } from '../types.ts';
import type { Cli, CommandContext } from './context.ts';
import { DURATION_FORMS, formatDuration, parseDuration } from './duration.ts';
import { clean, shortTimestamp } from './output.ts';
import { readLines } from './password.ts';

/** `for 2h (until 14:30)`, or `until lifted` without a duration. */
function lasting(seconds: number | undefined, until: string | undefined, lifted: string): string {
  if (seconds === undefined || until === undefined) return `until ${lifted}`;
  return `for ${formatDuration(seconds)} (until ${shortTimestamp(until)})`;
}

/** A command `<name> <room> <username>` that acts on one user of a room and says what it did. */
interface UserCommand {
  readonly name: string;
  readonly description: string;
  /** What `<username>` is. */
  readonly user: string;
  readonly act: (api: ChatApi, room: string, username: string) => Promise<void>;
  readonly done: (room: string, username: string) => string;
}

function addUserCommand(program: Command, cli: Cli, spec: UserCommand): void {
  program
    .command(spec.name)
    .description(spec.description)
    .argument('<room>', 'the room')
    .argument('<username>', spec.user)
    .action(
      cli.action(async (context, room: string, username: string) => {
        await spec.act(context.signedIn().api, room, username);
        context.say(spec.done(room, clean(username)));
      }),
    );
}

/** Adds `kick`, `ban`, `unban` and `role` to `program`. */
export function addModerationCommands(program: Command, cli: Cli): void {
  addUserCommand(program, cli, {
    name: 'kick',
    description: 'remove a member from a room (the owner, or a moderator on a member); they may join again',
    user: 'who to remove',
    act: (api, room, username) => api.kick(room, username),
    done: (room, username) => `Removed ${username} from ${room}.`,
  });

  program
    .command('ban')
    .description('remove a user from a room and keep them out (BANNED), for a while or until "chat unban"')
    .argument('<room>', 'the room')
    .argument('<username>', 'who to ban (a member of a lower role than yours, or anyone not a member)')
    .option('--reason <text>', 'why (at most 256 characters; moderators see it)')
    .option('--for <duration>', `how long (${DURATION_FORMS}); without it, until lifted`, parseDuration)
    .option('--json', 'print JSON')
    .action(
      cli.action(
        async (context, room: string, username: string, options: { reason?: string; for?: number }) => {
          const { api } = context.signedIn();
          const ban = await api.ban(room, username, { reason: options.reason, durationSeconds: options.for });
          if (context.options.json) context.printJson(ban);
          else {
            const until = lasting(
              options.for,
              ban.expiresAt,
              `lifted with "chat unban ${ban.room} ${ban.username}"`,
            );
            context.say(`Banned ${clean(ban.username)} from ${ban.room} ${until}.`);
          }
        },
      ),
    );

  addUserCommand(program, cli, {
    name: 'unban',
    description: 'lift a ban (lifting one that does not exist changes nothing)',
    user: 'who to let back in',
    act: (api, room, username) => api.unban(room, username),
    done: (room, username) => `${username} is not banned from ${room}.`,
  });

  program
    .command('role')
    .description('make a member a moderator, or a moderator a member again (the owner only)')
    .argument('<room>', 'the room')
    .argument('<username>', 'the member')
    .addArgument(new Argument('<role>', 'the new role').choices(['moderator', 'member']))
    .option('--json', 'print JSON')
    .action(
      cli.action(async (context, room: string, username: string, role: AssignableRole) => {
        const member = await context.signedIn().api.setRole(room, username, role);
        if (context.options.json) context.printJson(member);
        else context.say(`${clean(member.username)} is now a ${member.role} of ${room}.`);
      }),
    );
}

/** `chat mute <room> <user> [--for <duration>] [--off]`: mutes (or unmutes) a member of a room. */
export async function muteMember(
  context: CommandContext,
  room: string,
  username: string,
  options: { readonly for?: number; readonly off?: boolean },
): Promise<undefined> {
  const { api } = context.signedIn();
  if (options.off) {
    if (options.for !== undefined) throw new ChatClientError('USAGE', '--for and --off do not go together.');
    await api.unmute(room, username);
    context.say(`Unmuted ${clean(username)} in ${room}.`);
    return undefined;
  }
  const mute = await api.mute(room, username, { durationSeconds: options.for });
  const until = lasting(options.for, mute.mutedUntil, `"chat mute ${mute.room} ${mute.username} --off"`);
  context.say(`Muted ${clean(mute.username)} in ${mute.room} ${until}: they still read it, but cannot post.`);
  return undefined;
}

/** Adds `delete` to the `rooms` command. */
export function addRoomDeleteCommand(rooms: Command, cli: Cli): void {
  rooms
    .command('delete')
    .description('delete a room you own, with its history, members and bans, for good (asks first)')
    .argument('<room>', 'the room')
    .option('--yes', 'do not ask')
    .action(
      cli.action(async (context, room: string, options: { yes?: boolean }) => {
        const { api } = context.signedIn();
        const question = `Delete the room ${room}, with its history, members and bans, for good?`;
        if (options.yes !== true && !(await confirmed(context, question))) {
          throw new ChatClientError('NOT_CONFIRMED', `The room ${room} was not deleted.`);
        }
        await api.deleteRoom(room);
        context.say(`Deleted the room ${room}.`);
      }),
    );
}

/**
 * Asks a yes-or-no question on standard output and reads one line of standard input, a terminal or a pipe
 * (`echo y | chat rooms delete old`): only `y` or `yes` agrees; the end of input declines.
 */
async function confirmed(context: CommandContext, question: string): Promise<boolean> {
  context.io.stdout.write(`${question} [y/N] `);
  const [answer] = await readLines(context.io.stdin, 1);
  if (answer === undefined) context.say();
  return /^y(es)?$/i.test(answer?.trim() ?? '');
}
