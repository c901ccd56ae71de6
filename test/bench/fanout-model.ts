/**
 * The modelled poster of the large-room benchmark (test/bench/fanout-large.ts): what API Gateway and Lambda
 * do with posts that this machine cannot make for real at 10,000 members. Everything else is the real code
 * (the room's Query against DynamoDB Local, the message write, shard dispatch, the workers' claims, pacing and
 * retries); only `ConnectionPoster.post` and Lambda's asynchronous invocation are modelled. docs/performance.md
 * ("The large-room model") writes the model down.
 */
import { spawn } from 'node:child_process';
import {
  ApiGatewayManagementApiClient,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionPoster } from '../../lambdas/domain/fanout.ts';
import { localAwsSettings } from '../../lib/local/dynamodb-local.ts';
import { nowMs } from './stats.ts';

export interface PostModel {
  /** A post's round trip to API Gateway: `latencyMs` ± a uniform `jitterMs`. */
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** Posts on the wire at once per container: the SDK agent's sockets per host. */
  readonly socketsPerContainer: number;
  /** The CPU one post costs its container (signing, HTTP), serialized: a container has one CPU share. */
  readonly cpuPerPostMs: number;
  /** The same in a fan-out worker, which has more memory and so more CPU. */
  readonly workerCpuPerPostMs: number;
  /** The account's API Gateway request bucket: steady rate and burst, all containers together. */
  readonly accountPerSecond: number;
  readonly accountBurst: number;
  /** The sender's `Invoke` call (answered 202), and the time from the event's queueing to a warm worker's start. */
  readonly invokeMs: number;
  readonly workerStartMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The account's request budget: a token bucket shared by every modelled container. */
export class AccountBudget {
  private tokens: number;
  private at = nowMs();
  throttled = 0;

  constructor(private readonly model: Pick<PostModel, 'accountPerSecond' | 'accountBurst'>) {
    this.tokens = model.accountBurst;
  }

  /** Takes a token; false (API Gateway answers `LimitExceededException`) when the bucket is empty. */
  take(): boolean {
    const now = nowMs();
    this.tokens = Math.min(
      this.model.accountBurst,
      this.tokens + ((now - this.at) / 1000) * this.model.accountPerSecond,
    );
    this.at = now;
    if (this.tokens < 1) {
      this.throttled++;
      return false;
    }
    this.tokens--;
    return true;
  }
}

/** What the modelled posts of one run did: deliveries, and when the last one reached its client. */
export class PostLog {
  delivered = 0;
  lastAt = 0;
  containers = 0;
}

/**
 * One container's poster: a post waits for one of the container's sockets, for the container's CPU, then takes
 * the modelled round trip; API Gateway answers `LimitExceededException` when the account's bucket is empty,
 * and delivers otherwise (the client has the frame when the post is answered).
 */
export function modelledContainer(
  model: PostModel,
  budget: AccountBudget,
  log: PostLog,
  cpuPerPostMs = model.cpuPerPostMs,
): ConnectionPoster {
  log.containers++;
  let cpuFreeAt = 0;
  let free = model.socketsPerContainer;
  const waiting: (() => void)[] = [];
  return {
    async post() {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        cpuFreeAt = Math.max(cpuFreeAt, nowMs()) + cpuPerPostMs;
        const roundTrip = model.latencyMs + (2 * Math.random() - 1) * model.jitterMs;
        await sleep(cpuFreeAt - nowMs() + roundTrip);
        if (!budget.take()) {
          throw Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' });
        }
        log.delivered++;
        log.lastAt = Math.max(log.lastAt, nowMs());
      } finally {
        const next = waiting.shift();
        if (next === undefined) free++;
        else next();
      }
    },
  };
}

export { sleep as modelSleep };

/** A server that answers every request 200 at once, in a process of its own: its CPU is not counted. */
const ANSWERING_SERVER = `
const server = require('node:http').createServer((request, response) => {
  request.resume();
  request.on('end', () => response.end());
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/**
 * This machine's CPU per post of the SDK's management API client (signing, HTTP), as the functions post: the
 * process's CPU time over `posts` posts, 50 in flight, to a server in another process that answers at once.
 */
export async function measurePostCpuMs(posts = 5_000): Promise<number> {
  const server = spawn(process.execPath, ['-e', ANSWERING_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) =>
      server.stdout.once('data', (data: Buffer) => resolve(Number(data.toString().trim()))),
    );
    const client = new ApiGatewayManagementApiClient({
      endpoint: `http://127.0.0.1:${port}`,
      maxAttempts: 1,
      ...localAwsSettings,
    });
    const data = JSON.stringify({ type: 'message', messageId: '01M8N1SGDBJ6BKNWAF5F7REXJ0', text: 'a line' });
    const batch = async (count: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next++ < count) {
            await client.send(new PostToConnectionCommand({ ConnectionId: `c${next}AbCdEf=`, Data: data }));
          }
        }),
      );
    };
    await batch(1_000);
    const before = process.cpuUsage();
    await batch(posts);
    const used = process.cpuUsage(before);
    client.destroy();
    return (used.user + used.system) / 1000 / posts;
  } finally {
    server.kill();
  }
}
