/**
 * What a CLI command works with, passed to it rather than kept in module state: the process's streams and
 * environment, the global options, the config file and the login. `Cli.action` wraps each command so that
 * every failure reads the same: one sentence with the code on standard error, and a non-zero exit status.
 */
import type { Command } from 'commander';
import { ChatClientError, isChatClientError } from '../errors.ts';
import { ChatApi } from '../http.ts';
import {
  type CliConfig,
  configDirectory,
  type Endpoints,
  readConfig,
  resolveEndpoints,
  type SavedLogin,
  savedLogin,
  writeConfig,
} from './config.ts';
import { colourWanted, errorSentence, Painter, table } from './output.ts';
import { refreshSharedLogin } from './shared-login.ts';

/** The process the CLI runs in: its streams and environment. */
export interface CliIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

/** The options every command may be given (`--json` only where a command declares it). */
export interface GlobalOptions {
  readonly apiUrl?: string;
  readonly wsUrl?: string;
  readonly json?: boolean;
}

/** The config file as it is now, and the URLs in use (from an option, the environment, the file or defaults). */
export interface Settings {
  readonly directory: string;
  readonly config: CliConfig;
  readonly endpoints: Endpoints;
}

/** A client signed in with the saved login. */
export interface SignedIn {
  readonly api: ChatApi;
  readonly login: SavedLogin;
  readonly endpoints: Endpoints;
}

/** One run of one command. */
export class CommandContext {
  readonly painter: Painter;
  /** The login in use, so that an UNAUTHORIZED answer can name the user to log in again as. */
  private loginInUse: SavedLogin | undefined;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {
    this.painter = new Painter(colourWanted(io.stdout, io.env));
  }

  /** Writes one line to standard output. */
  say(line = ''): void {
    this.io.stdout.write(`${line}\n`);
  }

  printJson(value: unknown): void {
    this.say(JSON.stringify(value, null, 2));
  }

  /**
   * Prints a list: as JSON with `--json`, else `empty` (a hint at what to do) when there is nothing, else as
   * `print` writes it.
   */
  printList<T>(items: readonly T[], empty: string, print: (items: readonly T[]) => void): void {
    if (this.options.json) this.printJson(items);
    else if (items.length === 0) this.say(empty);
    else print(items);
  }

  /** Prints a list as `printList` does, as a table of one `row` per item under `header`. */
  printTable<T>(
    items: readonly T[],
    layout: {
      readonly empty: string;
      readonly header: readonly string[];
      readonly row: (item: T) => string[];
    },
  ): void {
    this.printList(items, layout.empty, (list) =>
      this.say(table(this.painter, layout.header, list.map(layout.row))),
    );
  }

  get configDirectory(): string {
    return configDirectory(this.io.env);
  }

  /** Reads the config file and resolves the URLs; a malformed URL fails here, before anything is sent. */
  settings(): Settings {
    const directory = this.configDirectory;
    const config = readConfig(directory);
    return { directory, config, endpoints: resolveEndpoints(this.options, this.io.env, config) };
  }

  /**
   * A client with the saved login; fails when there is none, or it is for another API, or it has expired.
   * The client refreshes the access token when the server refuses it, and the rotated tokens are saved at
   * once: the refresh token just used will never work again.
   */
  signedIn(): SignedIn {
    const { directory, config, endpoints } = this.settings();
    const { login } = config;
    const { apiUrl } = endpoints;
    if (login === undefined) {
      throw new ChatClientError('NOT_LOGGED_IN', 'You are not logged in; run "chat login <username>" first.');
    }
    if (login.apiUrl !== apiUrl) {
      throw new ChatClientError(
        'NOT_LOGGED_IN',
        `You are logged in on ${login.apiUrl}, not on ${apiUrl}; run "chat login ${login.username}" with this URL, or "chat config --api-url ${login.apiUrl}" to go back.`,
      );
    }
    if (Date.parse(login.expiresAt) <= Date.now()) {
      throw new ChatClientError(
        'LOGIN_EXPIRED',
        `Your login as ${login.username} expired at ${login.expiresAt}; run "chat login ${login.username}" again.`,
      );
    }
    this.loginInUse = login;
    const api = new ChatApi({
      baseUrl: apiUrl,
      token: login.token,
      refreshToken: login.refreshToken,
      refresher: (used, refresh) => refreshSharedLogin(directory, login, used, refresh),
      onTokens: (result) => {
        // Re-read: the URLs may have been changed meanwhile by another command.
        writeConfig(directory, { ...readConfig(directory), login: savedLogin(result, apiUrl) });
      },
    });
    return { api, login, endpoints };
  }

  /** The sentence for a failure: a refused token names the login to renew. */
  errorSentence(error: unknown): string {
    const login = this.loginInUse;
    if (isChatClientError(error) && error.code === 'UNAUTHORIZED' && login !== undefined) {
      return `the server no longer accepts your login as ${login.username}; run "chat login ${login.username}" again (UNAUTHORIZED)`;
    }
    return errorSentence(error);
  }
}

/** A command's body: resolves with the exit status, or nothing for 0. */
export type CommandBody<Args extends unknown[]> = (
  context: CommandContext,
  ...args: Args
) => Promise<number | undefined>;

/** One run of the program: where it writes, and the exit status its command ended with. */
export class Cli {
  exitCode = 0;

  constructor(readonly io: CliIo) {}

  /** A commander action that runs `body` with a fresh context and reports its failure. */
  action<Args extends unknown[]>(body: CommandBody<Args>): (this: Command, ...args: Args) => Promise<void> {
    const cli = this;
    return async function (this: Command, ...args: Args) {
      const context = new CommandContext(cli.io, this.optsWithGlobals<GlobalOptions>());
      try {
        cli.exitCode = (await body(context, ...args)) ?? 0;
      } catch (error) {
        cli.exitCode = cli.failure(context, error);
      }
    };
  }

  private failure(context: CommandContext, error: unknown): number {
    if ((error as Error)?.name === 'ExitPromptError') {
      // Ctrl-C at a password prompt.
      this.io.stderr.write('Cancelled.\n');
      return 130;
    }
    const painter = new Painter(colourWanted(this.io.stderr, this.io.env));
    this.io.stderr.write(`${painter.paint(['bold', 'red'], 'Error:')} ${context.errorSentence(error)}\n`);
    return 1;
  }
}
