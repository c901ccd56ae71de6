import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, expect, inject } from 'vitest';
import { ChatApi } from '../../lib/client/index.ts';
import type { LocalStack } from '../../lib/local/stack.ts';
import { newAccount } from '../support/accounts.ts';
import { startTestStack } from '../support/local-stack.ts';

/**
 * Starts the local stack for a CLI test file, and registers the file's clean-up: every child killed after each
 * test, then the config folders removed and the stack stopped.
 */
export async function startCliTestStack(
  options: Parameters<typeof startTestStack>[0] = {},
): Promise<LocalStack> {
  const stack = await startTestStack(options);
  afterAll(async () => {
    removeConfigDirs();
    await stack.stop();
  });
  afterEach(() => killAll());
  return stack;
}

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(repositoryRoot, 'node_modules', '.bin', 'tsx');

/** Where a CLI child connects and keeps its config. */
export interface ChatEnvironment {
  readonly apiUrl: string;
  readonly wsUrl: string;
  readonly configDir: string;
}

const temporaryDirectories: string[] = [];

/** A config directory that does not exist yet (so that the CLI creates it), under a fresh temporary one. */
export function newConfigDir(): string {
  const parent = mkdtempSync(join(tmpdir(), 'chat-cli-'));
  temporaryDirectories.push(parent);
  return join(parent, 'config');
}

/** For afterAll: removes the directories `newConfigDir` made. */
export function removeConfigDirs(): void {
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
}

function childEnvironment(
  environment: ChatEnvironment,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FORCE_COLOR;
  return {
    ...env,
    NO_COLOR: '1',
    CHAT_CONFIG_DIR: environment.configDir,
    CHAT_API_URL: environment.apiUrl,
    CHAT_WS_URL: environment.wsUrl,
    ...extra,
  };
}

/** Every child started by a test; `killAll` ends those still running, whatever the test's outcome. */
const children = new Set<ChildProcessWithoutNullStreams>();

export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI child (`tsx <script> ...args`) whose output is collected line by line and can be waited on. */
export class ChatProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private waiters: { check: () => void }[] = [];

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.stdout += chunk;
      this.notify();
    });
    child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
      this.notify();
    });
    // A child that exits early must not fail the test with EPIPE when it is written to.
    child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) =>
      child.on('close', (code) => {
        children.delete(child);
        this.notify();
        resolve(code);
      }),
    );
  }

  static start(
    args: readonly string[],
    environment: ChatEnvironment,
    options: { script?: string; env?: Record<string, string> } = {},
  ): ChatProcess {
    // The CLI from its bundle (test/support/cli-bundle.ts); a script of ours in JavaScript with node, and one in
    // TypeScript through tsx.
    const command =
      options.script === undefined
        ? [process.execPath, inject('cliBundle')]
        : options.script.endsWith('.js')
          ? [process.execPath, options.script]
          : [tsx, options.script];
    const child = spawn(command[0] as string, [...command.slice(1), ...args], {
      cwd: repositoryRoot,
      env: childEnvironment(environment, options.env),
      stdio: 'pipe',
    });
    children.add(child);
    return new ChatProcess(child);
  }

  get lines(): string[] {
    return this.stdout.split('\n');
  }

  /** Resolves with the first stdout line matching `pattern`; fails with the output so far after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          const line = this.lines.find((candidate) => pattern.test(candidate));
          if (line === undefined) return;
          clearTimeout(timer);
          this.waiters = this.waiters.filter((other) => other !== waiter);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        reject(
          new Error(
            `no line matching ${pattern} within ${timeoutMs} ms.\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
      waiter.check();
    });
  }

  write(text: string): void {
    this.child.stdin.write(text);
  }

  end(): void {
    this.child.stdin.end();
  }

  /** Waits for the exit (killing the child after `timeoutMs`) and returns what it printed. */
  async result(timeoutMs = 20_000): Promise<RunResult> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return { code, stdout: this.stdout, stderr: this.stderr };
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter.check();
  }
}

/** Runs `chat ...args` to completion, with `input` on standard input (then closed). */
export function runChat(
  args: readonly string[],
  environment: ChatEnvironment,
  options: { input?: string; env?: Record<string, string>; script?: string } = {},
): Promise<RunResult> {
  const child = ChatProcess.start(args, environment, options);
  if (options.input !== undefined) child.write(options.input);
  child.end();
  return child.result();
}

/** A port nothing listens on: bound, then released. */
/**
 * A fresh user, registered through the client and logged in with `chat login` in a fresh config folder: the
 * environment of a `chat` child signed in as them, and the account.
 */
export async function loggedInChat(
  stack: { readonly httpUrl: string; readonly wsUrl: string },
  prefix: string,
) {
  const env: ChatEnvironment = { apiUrl: stack.httpUrl, wsUrl: stack.wsUrl, configDir: newConfigDir() };
  const account = newAccount(prefix);
  await new ChatApi({ baseUrl: stack.httpUrl }).register(account);
  const login = await runChat(['login', account.username, '--password-stdin'], env, {
    input: `${account.password}\n`,
  });
  expect(login).toMatchObject({ code: 0, stderr: '' });
  return { env, account };
}

export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `[HH:MM] user: text`, exactly. */
export function messageLine(user: string, text: string): RegExp {
  const literal = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\[\\d\\d:\\d\\d\\] ${literal(user)}: ${literal(text)}$`);
}
