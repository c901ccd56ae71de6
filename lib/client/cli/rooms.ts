/** `chat rooms` (a table of the rooms) and `chat rooms create <name>`. */
import type { Command } from 'commander';
import type { Cli } from './context.ts';
import { addListCommand } from './list-command.ts';
import { clean, shortTimestamp } from './output.ts';

/** Adds `rooms` and its `create` subcommand to `program`. */
export function addRoomCommands(program: Command, cli: Cli): void {
  const rooms = addListCommand(program, cli, {
    name: 'rooms',
    description: 'list the rooms (a table), or create one with "chat rooms create <name>"',
    list: (api) => api.listAllRooms(),
    empty: 'No rooms yet. Create one with: chat rooms create <name>',
    header: ['NAME', 'CREATED BY', 'CREATED'],
    row: (room) => [room.name, clean(room.createdBy), shortTimestamp(room.createdAt)],
  });

  rooms
    .command('create')
    .description('create a room')
    .argument('<name>', '1 to 64 of a-z, 0-9, "_" and "-", starting with a letter or digit (lower-cased)')
    .action(
      cli.action(async (context, name: string) => {
        const { api } = context.signedIn();
        const room = await api.createRoom(name);
        if (context.options.json) context.printJson(room);
        else context.say(`Created room ${room.name}. Join it with: chat join ${room.name}`);
      }),
    );
}
