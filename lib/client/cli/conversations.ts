/**
 * The commands that read and post over HTTP without joining: `chat conversations` (a table),
 * `chat history <room | @user>` and `chat send <room | @user> <text...>`; and blocking: `chat block`,
 * `chat unblock`, `chat blocks`.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { ChatApi } from '../http.ts';
import type { ConversationSummary, Message } from '../types.ts';
import type { Cli } from './context.ts';
import { groupLabel } from './groups.ts';
import { addListCommand } from './list-command.ts';
import { clean, MessagePrinter, shortTimestamp, truncate, unreadLabel } from './output.ts';

/** A room name, or `@username` for the conversation with that user. */
export type RoomOrPeer = { readonly room: string } | { readonly peer: string };

/** Parses a `<target>` argument. */
export function roomOrPeer(value: string): RoomOrPeer {
  if (value.startsWith('@')) {
    const peer = value.slice(1);
    if (peer === '') throw new InvalidArgumentError('give a username after "@".');
    return { peer };
  }
  return { room: value };
}

/** Parses `--limit`. */
export function historyLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new InvalidArgumentError('must be a whole number from 1 to 1000.');
  }
  return limit;
}

/** The conversation with `peer`, if there is one (reading history should not create it). */
async function findConversation(api: ChatApi, peer: string): Promise<ConversationSummary | undefined> {
  const conversations = await api.listAllConversations();
  return conversations.find(
    (conversation) =>
      conversation.kind === 'direct' && conversation.peer.toLowerCase() === peer.toLowerCase(),
  );
}

/** Who a conversation is with: the peer, or a group's label. */
const withWhom = (conversation: ConversationSummary) =>
  conversation.kind === 'group' ? `${groupLabel(conversation)} (group)` : conversation.peer;

/** Adds `conversations`, `history`, `send`, `users`, `block`, `unblock` and `blocks` to `program`. */
export function addConversationCommands(program: Command, cli: Cli): void {
  addListCommand(program, cli, {
    name: 'conversations',
    description: 'list your conversations, most recent first',
    list: (api) => api.listAllConversations(),
    empty: 'No conversations yet. Start one with: chat dm <username>',
    header: ['WITH', 'LAST MESSAGE', 'WHEN', 'UNREAD'],
    row: (conversation) => [
      clean(withWhom(conversation)),
      conversation.lastMessage === null
        ? '-'
        : truncate(`${conversation.lastMessage.from}: ${conversation.lastMessage.text}`, 60),
      shortTimestamp(conversation.lastMessage?.sentAt ?? conversation.createdAt),
      unreadLabel(conversation.unreadCount),
    ],
  });

  program
    .command('users')
    .description('find users by the start of their username (2 characters at least)')
    .argument('<prefix>', 'the start of a username, any case')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (context, prefix: string) => {
        const page = await context.signedIn().api.searchUsers(prefix, { limit: 100 });
        context.printList(page.items, `No username starts with "${prefix}".`, (users) => {
          for (const user of users) context.say(clean(user.username));
        });
      }),
    );

  program
    .command('block')
    .description('block a user: they can no longer open a conversation with you nor send you messages')
    .argument('<username>', 'who to block')
    .action(
      cli.action(async (context, username: string) => {
        await context.signedIn().api.block(username);
        context.say(`Blocked ${username}. Undo with: chat unblock ${username}`);
      }),
    );

  program
    .command('unblock')
    .description('lift a block')
    .argument('<username>', 'who to unblock')
    .action(
      cli.action(async (context, username: string) => {
        await context.signedIn().api.unblock(username);
        context.say(`${username} is not blocked.`);
      }),
    );

  addListCommand(program, cli, {
    name: 'blocks',
    description: 'list the users you block',
    list: (api) => api.listAllBlocks(),
    empty: 'You block no one.',
    header: ['USER', 'SINCE'],
    row: (block) => [clean(block.username), shortTimestamp(block.blockedAt)],
  });

  program
    .command('history')
    .description('show the recent messages of a room, or of your conversation with @username')
    .argument('<target>', 'a room name, or @username', roomOrPeer)
    .option('--limit <n>', 'how many messages (1 to 1000)', historyLimit, 50)
    .option('--json', 'print JSON')
    .action(
      cli.action(async (context, target: RoomOrPeer, options: { limit: number }) => {
        const { api, login } = context.signedIn();
        let messages: Message[];
        if ('room' in target) {
          messages = await api.recentMessages({ room: target.room }, options.limit);
        } else {
          const conversation = await findConversation(api, target.peer);
          messages =
            conversation === undefined
              ? []
              : await api.recentMessages({ conversationId: conversation.conversationId }, options.limit);
        }
        context.printList(messages, 'No messages yet.', (list) => {
          const printer = new MessagePrinter(context.painter, (line) => context.say(line), login.username);
          for (const message of list) printer.message(message);
        });
      }),
    );

  program
    .command('send')
    .description('send one message over HTTP to a room or to @username, without joining')
    .argument('<target>', 'a room name, or @username', roomOrPeer)
    .argument('<text...>', 'the message (the words are joined with spaces)')
    .action(
      cli.action(async (context, target: RoomOrPeer, words: string[]) => {
        const { api } = context.signedIn();
        const text = words.join(' ');
        if ('room' in target) {
          const { value } = await api.postRoomMessage(target.room, text);
          context.say(`Sent to ${value.room} at ${shortTimestamp(value.sentAt)}.`);
        } else {
          const { value: conversation } = await api.openConversation(target.peer);
          const { value } = await api.postConversationMessage(conversation.conversationId, text);
          context.say(`Sent to ${target.peer} at ${shortTimestamp(value.sentAt)}.`);
        }
      }),
    );
}
