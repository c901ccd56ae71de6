/** A command that lists what the signed-in user can see: a table, or JSON with `--json`. */
import type { Command } from 'commander';
import type { ChatApi } from '../http.ts';
import type { Cli } from './context.ts';

export interface ListCommand<T> {
  readonly name: string;
  readonly description: string;
  /** Reads every item. */
  readonly list: (api: ChatApi) => Promise<readonly T[]>;
  /** What to print when there is nothing: a hint at how to make something. */
  readonly empty: string;
  readonly header: readonly string[];
  readonly row: (item: T) => string[];
}

/** Adds the command to `parent`, and returns it (for subcommands). */
export function addListCommand<T>(parent: Command, cli: Cli, spec: ListCommand<T>): Command {
  return parent
    .command(spec.name)
    .description(spec.description)
    .option('--json', 'print JSON')
    .action(
      cli.action(async (context) => {
        const { api } = context.signedIn();
        context.printTable(await spec.list(api), spec);
      }),
    );
}
