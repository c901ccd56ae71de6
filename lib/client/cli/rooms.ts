/**
 * `chat rooms` (a table of the rooms you can see, with your role), `chat rooms create <name> [--private]
 * [--topic <text>]`, `chat rooms delete <name>` (lib/client/cli/moderation.ts), `chat invite <room> <user>` and
 * `chat members <room>`.
 */
import type { Command } from 'commander';
import type { ChatApi } from '../http.ts';
import { readAllPages } from '../paging.ts';
import type { Room, RoomRole } from '../types.ts';
import type { Cli } from './context.ts';
import { addListCommand } from './list-command.ts';
import { addRoomDeleteCommand } from './moderation.ts';
import { clean, shortTimestamp, truncate, unreadLabel } from './output.ts';

/** Every room the user can see, each with their role in it when they are a member. */
async function roomsWithRoles(api: ChatApi): Promise<(Room & { role?: RoomRole; unreadCount?: number })[]> {
  const [rooms, mine] = await Promise.all([
    api.listAllRooms(),
    readAllPages((options) => api.myRooms(options)),
  ]);
  const memberships = new Map(mine.map((room) => [room.name, room]));
  return rooms.map((room) => {
    const membership = memberships.get(room.name);
    return membership === undefined
      ? room
      : { ...room, role: membership.role, unreadCount: membership.unreadCount };
  });
}

/** Adds `rooms` with its `create` subcommand, `invite` and `members` to `program`. */
export function addRoomCommands(program: Command, cli: Cli): void {
  const rooms = addListCommand(program, cli, {
    name: 'rooms',
    description:
      'list the rooms you can see (a table); "chat rooms create <name>" creates one, "chat rooms delete <name>" deletes it',
    list: roomsWithRoles,
    empty: 'No rooms yet. Create one with: chat rooms create <name>',
    header: ['NAME', 'VISIBILITY', 'MEMBERS', 'YOUR ROLE', 'UNREAD', 'CREATED BY', 'CREATED', 'TOPIC'],
    row: (room) => [
      room.name,
      room.visibility,
      String(room.memberCount),
      room.role ?? '-',
      unreadLabel(room.unreadCount),
      clean(room.createdBy),
      shortTimestamp(room.createdAt),
      room.topic === undefined ? '' : truncate(room.topic, 40),
    ],
  });

  rooms
    .command('create')
    .description('create a room; you are its owner')
    .argument('<name>', '1 to 64 of a-z, 0-9, "_" and "-", starting with a letter or digit (lower-cased)')
    .option('--private', 'only members see it; invite them with "chat invite <room> <user>"')
    .option('--topic <text>', 'what the room is about (at most 256 characters)')
    .action(
      cli.action(async (context, name: string, options: { private?: boolean; topic?: string }) => {
        const { api } = context.signedIn();
        const visibility = options.private ? 'private' : 'public';
        const room = await api.createRoom(name, { visibility, topic: options.topic });
        if (context.options.json) context.printJson(room);
        else context.say(`Created ${visibility} room ${room.name}. Join it with: chat join ${room.name}`);
      }),
    );
  addRoomDeleteCommand(rooms, cli);

  program
    .command('invite')
    .description('invite a user to a room you own (they accept with "chat join <room>")')
    .argument('<room>', 'the room')
    .argument('<username>', 'who to invite')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (context, room: string, username: string) => {
        const { api } = context.signedIn();
        const invitation = await api.invite(room, username);
        if (context.options.json) context.printJson(invitation);
        else context.say(`Invited ${clean(invitation.username)} to ${invitation.room}.`);
      }),
    );

  program
    .command('members')
    .description('list the members of a room, with their roles')
    .argument('<room>', 'the room')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (context, room: string) => {
        const { api } = context.signedIn();
        const members = await readAllPages((options) => api.roomMembers(room, options));
        context.printTable(members, {
          empty: 'No members.',
          header: ['USERNAME', 'ROLE', 'JOINED'],
          row: (member) => [clean(member.username), member.role, shortTimestamp(member.joinedAt)],
        });
      }),
    );
}
