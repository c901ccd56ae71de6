/**
 * Group conversations from the command line: `chat group create <title> <user...>`, `chat group add
 * <group> <user>`, `chat group rename <group> <title...>`, `chat group leave <group>`. A group is named by its
 * conversation id (as `chat conversations --json` shows it) or by its title, in any case.
 */
import type { Command } from 'commander';
import { ChatClientError } from '../errors.ts';
import type { ChatApi } from '../http.ts';
import type { Conversation } from '../types.ts';
import type { Cli } from './context.ts';
import { clean } from './output.ts';

const CONVERSATION_ID = /^c_[A-Za-z0-9_-]{22}$/;

/** The id of the group `nameOrId` names: an id as it is, else the one group of yours with that title. */
async function groupId(api: ChatApi, nameOrId: string): Promise<string> {
  if (CONVERSATION_ID.test(nameOrId)) return nameOrId;
  const wanted = nameOrId.toLowerCase();
  const matching = (await api.listAllConversations()).filter(
    (conversation) => conversation.kind === 'group' && conversation.title?.toLowerCase() === wanted,
  );
  if (matching.length === 1) return (matching[0] as Conversation).conversationId;
  throw new ChatClientError(
    'USAGE',
    matching.length === 0
      ? `You are in no group titled "${nameOrId}".`
      : `Several of your groups are titled "${nameOrId}": give its id (chat conversations --json).`,
  );
}

/** How a group is shown: its title, or its participants when it has none. */
export function groupLabel(conversation: Pick<Conversation, 'title' | 'participants'>): string {
  return clean(conversation.title ?? conversation.participants.join(', '));
}

/** Adds `group` and its subcommands to `program`. */
export function addGroupCommands(program: Command, cli: Cli): void {
  const group = program.command('group').description('group conversations: create, add, rename, leave');

  group
    .command('create')
    .description('create a group of you and two or more other users')
    .argument('<title>', 'the group’s title (one line, at most 100 characters)')
    .argument('<users...>', 'two or more usernames')
    .action(
      cli.action(async (context, title: string, users: string[]) => {
        const created = await context.signedIn().api.createGroup(users, title);
        context.say(
          `Created ${groupLabel(created)} (${created.conversationId}) with ${created.participants.length} participants.`,
        );
      }),
    );

  group
    .command('add')
    .description('add a user to a group you are in')
    .argument('<group>', 'the group’s title or id')
    .argument('<user>', 'who to add')
    .action(
      cli.action(async (context, name: string, user: string) => {
        const { api } = context.signedIn();
        const updated = await api.addParticipant(await groupId(api, name), user);
        context.say(`Added ${user} to ${groupLabel(updated)}.`);
      }),
    );

  group
    .command('rename')
    .description('set a group’s title')
    .argument('<group>', 'the group’s title or id')
    .argument('<title...>', 'the new title (the words are joined with spaces)')
    .action(
      cli.action(async (context, name: string, words: string[]) => {
        const { api } = context.signedIn();
        const updated = await api.renameConversation(await groupId(api, name), words.join(' '));
        context.say(`Renamed to ${groupLabel(updated)}.`);
      }),
    );

  group
    .command('leave')
    .description('leave a group: you no longer read it nor get its messages')
    .argument('<group>', 'the group’s title or id')
    .action(
      cli.action(async (context, name: string) => {
        const { api } = context.signedIn();
        await api.leaveConversation(await groupId(api, name));
        context.say(`You left ${name}.`);
      }),
    );
}
