/**
 * `npm start` as a user runs it: `tsx bin/local.ts` as a child process with its own DynamoDB Local (Java),
 * driven over real HTTP and WebSocket connections, then stopped with a signal.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { keyIdOf } from '../../lambdas/shared/tokens.ts';
import { freePort } from '../../lib/local/dynamodb-local.ts';
import { SIGNING_KEY_SECRET_NAME } from '../../lib/local/stack.ts';
import { newAccount } from '../support/accounts.ts';
import { apiClient } from '../support/http-client.ts';
import { type LocalStackProcess, spawnLocalStack } from '../support/local-process.ts';
import { putSecretValue } from '../support/secrets.ts';
import { TestSocket } from '../support/ws-client.ts';

/** Starting Java and the stack takes a few seconds; stopping waits for Java to exit. */
const STARTUP_TIMEOUT_MS = 45_000;
const TEST_TIMEOUT_MS = 60_000;
/** The restart test starts Java twice. */
const RESTART_TEST_TIMEOUT_MS = 90_000;

interface RunningStack extends LocalStackProcess {
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** The port of the DynamoDB Local it started, from the line `DynamoDB       http://127.0.0.1:PORT`. */
  readonly dynamoPort: number;
  /** The emulated Secrets Manager that holds the signing key. */
  readonly secretsUrl: string;
  /** The web client's origin, from the line `Web client      http://127.0.0.1:PORT`. */
  readonly webUrl: string;
}

/** Every process started here and not yet seen to exit: clean-up reaches them even when a test fails. */
const started: Pick<RunningStack, 'child' | 'exited'>[] = [];
const sockets: TestSocket[] = [];
const directories: string[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) await socket.close();
  for (const entry of started.splice(0)) await killProcessGroup(entry);
});

afterAll(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The live processes (command lines) left in the process group led by `pid`: DynamoDB Local's Java would be one.
 * Zombies are not counted: an exited grandchild waits a moment to be reaped by init once its parent is gone.
 * Reads /proc where there is one; elsewhere, signal 0 to the group says whether anything is left.
 */
function liveProcessesInGroup(pid: number): string[] {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pid, 0);
      return [`a process in group ${pid}`];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return [];
      throw error;
    }
  }
  const left: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name in parentheses: state, ppid, pgrp, ...
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) !== pid || state === 'Z') continue;
      left.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim());
    } catch {
      // The process exited while we looked: it is not left.
    }
  }
  return left;
}

/**
 * Runs `tsx bin/local.ts [args]` as `npm start` does, on free ports and without DYNAMODB_ENDPOINT or
 * JWT_SECRET, so that it starts its own DynamoDB Local and manages its own key. It leads its own process group,
 * so that clean-up can reach every process it started even when a test fails half-way.
 */
async function startNpmStart(args: string[] = [], env: Record<string, string> = {}): Promise<RunningStack> {
  const [port, wsPort, secretsPort] = [await freePort(), await freePort(), await freePort()];
  const { child, output, exited } = spawnLocalStack(args, {
    env: { PORT: String(port), WS_PORT: String(wsPort), SECRETS_PORT: String(secretsPort), ...env },
    detached: true,
  });
  started.push({ child, exited });

  const banner = await new Promise<RegExpMatchArray[]>((resolve, reject) => {
    const patterns = [
      /HTTP API\s+(http:\/\/\S+)/,
      /WebSocket API\s+(ws:\/\/\S+)/,
      /DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)/,
      /Secrets Manager\s+(http:\/\/\S+)/,
      /Web client\s+(http:\/\/\S+)/,
    ];
    const check = () => {
      const matches = patterns.map((pattern) => output().match(pattern));
      if (matches.every((match) => match !== null)) {
        finish();
        resolve(matches as RegExpMatchArray[]);
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`npm start printed no ready banner within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`));
    }, STARTUP_TIMEOUT_MS);
    const onExit = (code: number | null) => {
      finish();
      reject(new Error(`npm start exited (${code}) before it was ready:\n${output()}`));
    };
    const finish = () => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', check);
    child.once('exit', onExit);
  });

  const [http, ws, dynamo, secrets, web] = banner as [
    RegExpMatchArray,
    RegExpMatchArray,
    RegExpMatchArray,
    RegExpMatchArray,
    RegExpMatchArray,
  ];
  const stack: RunningStack = {
    child,
    exited,
    output,
    httpUrl: http[1] as string,
    wsUrl: ws[1] as string,
    dynamoPort: Number(dynamo[1]),
    secretsUrl: secrets[1] as string,
    webUrl: web[1] as string,
  };
  expect(stack.httpUrl).toBe(`http://127.0.0.1:${port}`);
  expect(stack.wsUrl).toBe(`ws://127.0.0.1:${wsPort}`);
  expect(stack.secretsUrl).toBe(`http://127.0.0.1:${secretsPort}`);
  return stack;
}

/** Sends `signal` to the `npm start` process alone (not its group) and waits for it to exit. */
/**
 * Sends `signal` to the Node.js process that runs bin/local.ts, and waits for `npm start` to exit. `tsx` runs the
 * script in a child process; signalled itself, it relays the signal and gives the child 30 ms to say it has a
 * handler before killing it with SIGKILL, which on a loaded machine turned a clean stop into exit 143. What is
 * under test is our handler, so it gets the signal directly, as `kill <pid>` would give it; tsx then exits with
 * its child's status.
 */
async function stop(stack: RunningStack, signal: NodeJS.Signals) {
  const pid = stack.child.pid as number;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  const script = Number(children[0]);
  if (!Number.isInteger(script) || script <= 0) throw new Error(`tsx (${pid}) has no child process`);
  process.kill(script, signal);
  return stack.exited;
}

/** Clean-up after a failed or unfinished test: nothing it started may outlive the test. */
async function killProcessGroup(target: Pick<RunningStack, 'child' | 'exited'>): Promise<void> {
  const pid = target.child.pid;
  if (pid === undefined || liveProcessesInGroup(pid).length === 0) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone between the look and the kill.
  }
  await target.exited;
}

async function newTempDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'chat-npm-start-'));
  directories.push(directory);
  return directory;
}

describe('npm start', () => {
  it(
    'serves HTTP and WebSocket, and on SIGINT exits 0 leaving no DynamoDB Local behind',
    async () => {
      const stack = await startNpmStart();
      expect(await acceptsConnections(stack.dynamoPort)).toBe(true);

      const user = await apiClient(stack.httpUrl).signUp('starter');
      const socket = await TestSocket.open(stack.wsUrl, { token: user.token });
      sockets.push(socket);
      const pong = await socket.request({ action: 'ping' }, 'pong');
      await socket.close();
      const page = await fetch(`${stack.webUrl}/`);
      const config = await (await fetch(`${stack.webUrl}/config.json`)).json();
      // The HTTP API allows the web client's origin by default (ALLOWED_ORIGINS unset), under both local names.
      const webPort = new URL(stack.webUrl).port;
      const preflights = await Promise.all(
        [stack.webUrl, `http://localhost:${webPort}`, 'http://localhost:1'].map((origin) =>
          fetch(`${stack.httpUrl}/rooms`, {
            method: 'OPTIONS',
            headers: { origin, 'access-control-request-method': 'POST' },
          }).then((response) => response.headers.get('access-control-allow-origin')),
        ),
      );
      const exit = await stop(stack, 'SIGINT');

      expect(pong).toEqual({ type: 'pong' });
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('<script type="module" src="app.js">');
      expect(config).toEqual({ httpApiUrl: stack.httpUrl, webSocketUrl: stack.wsUrl });
      expect(preflights).toEqual([stack.webUrl, `http://localhost:${webPort}`, null]);
      expect(exit, stack.output()).toEqual({ code: 0, signal: null });
      expect(await acceptsConnections(stack.dynamoPort)).toBe(false);
      expect(await acceptsConnections(Number(webPort))).toBe(false);
      expect(liveProcessesInGroup(stack.child.pid as number)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'keeps accounts and the signing key, rotated or not, in the --data directory across a restart',
    async () => {
      const dataDirectory = await newTempDirectory();
      const account = newAccount('keeper');
      // The key is re-read on every request, so that the rotation below takes effect at once.
      const first = await startNpmStart(['--data', dataDirectory], { SIGNING_KEY_CACHE_SECONDS: '0' });
      const firstApi = apiClient(first.httpUrl);
      const registered = await firstApi.call('POST', '/auth/register', { body: account });
      const credentials = { username: account.username, password: account.password };
      const loginBeforeRotation = await firstApi.call('POST', '/auth/login', { body: credentials });
      const rotatedKey = randomBytes(32).toString('hex');
      await putSecretValue(first.secretsUrl, SIGNING_KEY_SECRET_NAME, rotatedKey);
      const firstLogin = await firstApi.call('POST', '/auth/login', { body: credentials });
      const firstExit = await stop(first, 'SIGTERM');

      const second = await startNpmStart(['--data', dataDirectory]);
      const secondApi = apiClient(second.httpUrl);
      const secondLogin = await secondApi.call('POST', '/auth/login', {
        body: { username: account.username, password: account.password },
      });
      const meWithOldToken = await secondApi.call('GET', '/auth/me', { token: firstLogin.body.token });
      const meWithReplacedKey = await secondApi.call('GET', '/auth/me', {
        token: loginBeforeRotation.body.token,
      });
      const secondExit = await stop(second, 'SIGTERM');

      expect(registered.status).toBe(201);
      expect(loginBeforeRotation.status).toBe(200);
      expect(firstLogin.status).toBe(200);
      // The login after the put was signed with the rotated key, and that key is the one in use after the restart.
      expect(jwt.decode(firstLogin.body.token, { complete: true })?.header.kid).toBe(keyIdOf(rotatedKey));
      expect(meWithReplacedKey.status).toBe(401);
      expect(firstExit, first.output()).toEqual({ code: 0, signal: null });
      expect(secondLogin.status, JSON.stringify(secondLogin.body)).toBe(200);
      expect(secondLogin.body.user).toEqual({
        userId: registered.body.user.userId,
        username: account.username,
      });
      expect(meWithOldToken.status, JSON.stringify(meWithOldToken.body)).toBe(200);
      expect(meWithOldToken.body).toEqual({ user: registered.body.user });
      expect(secondExit, second.output()).toEqual({ code: 0, signal: null });
      expect(await acceptsConnections(first.dynamoPort)).toBe(false);
      expect(await acceptsConnections(second.dynamoPort)).toBe(false);
      expect(liveProcessesInGroup(first.child.pid as number)).toEqual([]);
      expect(liveProcessesInGroup(second.child.pid as number)).toEqual([]);
    },
    RESTART_TEST_TIMEOUT_MS,
  );
});
