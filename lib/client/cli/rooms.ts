/** `chat rooms` (a table of the rooms) and `chat rooms create <name>`. */
import type { Command } from 'commander';
import type { Cli } from './context.ts';
import { clean, shortTimestamp, table } from './output.ts';

/** Adds `rooms` and its `create` subcommand to `program`. */
export function addRoomCommands(program: Command, cli: Cli): void {
  const rooms = program
    .command('rooms')
    .description('list the rooms (a table), or create one with "chat rooms create <name>"')
    .option('--json', 'print JSON')
    .action(
      cli.action(async (context) => {
        const { api } = context.signedIn();
        const list = await api.listAllRooms();
        if (context.options.json) {
          context.printJson(list);
          return;
        }
        if (list.length === 0) {
          context.say('No rooms yet. Create one with: chat rooms create <name>');
          return;
        }
        context.say(
          table(
            context.painter,
            ['NAME', 'CREATED BY', 'CREATED'],
            list.map((room) => [room.name, clean(room.createdBy), shortTimestamp(room.createdAt)]),
          ),
        );
      }),
    );

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
