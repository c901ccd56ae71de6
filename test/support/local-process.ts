import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Set in this process by a local stack of its own (or by the caller's shell); a child must choose its own. */
const STACK_VARIABLES = [
  'DYNAMODB_ENDPOINT',
  'JWT_SECRET',
  'JWT_SECRET_ARN',
  'SECRETS_PORT',
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'DATA_DIR',
  'TABLE_NAME',
  'HOST',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'WEBSOCKET_CALLBACK_URL',
];

export interface LocalStackProcess {
  readonly child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (or the signal) once the process has exited and its output is closed. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `tsx bin/local.ts [args]` as `npm start` does, in a child process, with this process's environment minus
 * what a local stack sets, plus `env`. `detached` makes it lead its own process group, so that clean-up can
 * reach every process it starts.
 */
export function spawnLocalStack(
  args: readonly string[],
  options: { env: Record<string, string>; detached?: boolean },
): LocalStackProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of STACK_VARIABLES) delete env[name];
  const child = spawn(`${repositoryRoot}node_modules/.bin/tsx`, ['bin/local.ts', ...args], {
    cwd: repositoryRoot,
    // The web client on a free port unless told: a fixed one would collide between test files.
    env: { ...env, WEB_PORT: '0', ...options.env },
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}
