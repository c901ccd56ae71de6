/** Push notifications from the command line: `chat devices` lists yours, `chat mute` silences a conversation. */
import { type Command, InvalidArgumentError } from 'commander';
import { ChatClientError } from '../errors.ts';
import type { Cli } from './context.ts';
import { addListCommand } from './list-command.ts';
import { clean, shortTimestamp } from './output.ts';

/** `@username`, or a conversation id as `chat conversations --json` shows it. */
function conversationTarget(value: string): { readonly peer: string } | { readonly conversationId: string } {
  if (value.startsWith('@')) {
    if (value.length === 1) throw new InvalidArgumentError('give a username after "@".');
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
    .description('stop push notifications for a conversation (messages still arrive); --off undoes it')
    .argument('<conversation>', '@username, or a conversation id', conversationTarget)
    .option('--off', 'unmute')
    .action(
      cli.action(
        async (context, target: ReturnType<typeof conversationTarget>, options: { off?: boolean }) => {
          const { api } = context.signedIn();
          let conversationId: string;
          if ('peer' in target) {
            const conversations = await api.listAllConversations();
            const found = conversations.find((item) => item.peer.toLowerCase() === target.peer.toLowerCase());
            if (found === undefined) {
              throw new ChatClientError(
                'CONVERSATION_NOT_FOUND',
                `You have no conversation with ${target.peer}.`,
              );
            }
            conversationId = found.conversationId;
          } else {
            conversationId = target.conversationId;
          }
          const { muted } = await api.muteConversation(conversationId, options.off !== true);
          const name = 'peer' in target ? target.peer : conversationId;
          context.say(muted ? `Muted ${name}: no push notifications for it.` : `Unmuted ${name}.`);
        },
      ),
    );
}
