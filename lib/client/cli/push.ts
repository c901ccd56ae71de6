/**
 * Push notifications from the command line: `chat devices` lists yours, `chat mute` silences a conversation.
 * `chat mute` with a room and a user mutes a member of the room instead (lib/client/cli/moderation.ts).
 */
import type { Command } from 'commander';
import { ChatClientError } from '../errors.ts';
import type { Cli, CommandContext } from './context.ts';
import { DURATION_FORMS, parseDuration } from './duration.ts';
import { addListCommand } from './list-command.ts';
import { muteMember } from './moderation.ts';
import { clean, shortTimestamp } from './output.ts';

/** `@username`, or a conversation id as `chat conversations --json` shows it. */
function conversationTarget(value: string): { readonly peer: string } | { readonly conversationId: string } {
  if (value.startsWith('@')) {
    if (value.length === 1) throw new ChatClientError('USAGE', 'Give a username after "@".');
    return { peer: value.slice(1) };
  }
  return { conversationId: value };
}

/** Adds `devices` and `mute` to `program`. */
export function addPushCommands(program: Command, cli: Cli): void {
  addListCommand(program, cli, {
    name: 'devices',
    description: 'list the devices registered for your push notifications',
    list: (api) => api.listDevices(),
    empty: 'No devices: the mobile app registers one when it signs in.',
    header: ['DEVICE', 'PLATFORM', 'REGISTERED', 'UPDATED'],
    row: (device) => [
      clean(device.deviceId),
      device.platform,
      shortTimestamp(device.registeredAt),
      shortTimestamp(device.updatedAt),
    ],
  });

  program
    .command('mute')
    .description(
      'stop push notifications for a conversation; or, given a room and a user, mute a member of the room',
    )
    .argument('<conversation|room>', '@username or a conversation id; with <user>, a room')
    .argument('[user]', 'a member of <room> to mute: they still read it, but their posts are refused (MUTED)')
    .option(
      '--for <duration>',
      `with <user>: how long (${DURATION_FORMS}); without it, until --off`,
      parseDuration,
    )
    .option('--off', 'unmute')
    .addHelpText(
      'after',
      `
chat mute <@username|conversationId> [--off]
  Silences your push notifications for one conversation (messages still arrive), for you only.
chat mute <room> <user> [--for <duration>] [--off]
  Mutes a member of a room (the owner, or a moderator on a member): they still read the room, but every
  post of theirs is refused with MUTED, for the duration or until "chat mute <room> <user> --off".`,
    )
    .action(
      cli.action(async (context, first: string, user: string | undefined, options: MuteOptions) => {
        if (user !== undefined) return muteMember(context, first, user, options);
        if (options.for !== undefined) {
          throw new ChatClientError(
            'USAGE',
            '--for mutes a member of a room: chat mute <room> <user> --for 10m.',
          );
        }
        return muteConversation(context, conversationTarget(first), options.off !== true);
      }),
    );
}

/** The options of `chat mute`. */
interface MuteOptions {
  readonly for?: number;
  readonly off?: boolean;
}

/** `chat mute <@username|conversationId> [--off]`: no pushes for the conversation (or pushes again). */
async function muteConversation(
  context: CommandContext,
  target: ReturnType<typeof conversationTarget>,
  mute: boolean,
): Promise<undefined> {
  const { api } = context.signedIn();
  let conversationId: string;
  if ('peer' in target) {
    const conversations = await api.listAllConversations();
    const found = conversations.find(
      (item) => item.kind === 'direct' && item.peer.toLowerCase() === target.peer.toLowerCase(),
    );
    if (found === undefined) {
      throw new ChatClientError('CONVERSATION_NOT_FOUND', `You have no conversation with ${target.peer}.`);
    }
    conversationId = found.conversationId;
  } else {
    conversationId = target.conversationId;
  }
  const { muted } = await api.muteConversation(conversationId, mute);
  const name = 'peer' in target ? target.peer : conversationId;
  context.say(muted ? `Muted ${name}: no push notifications for it.` : `Unmuted ${name}.`);
  return undefined;
}
