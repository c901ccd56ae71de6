/**
 * An emulated Lambda event source mapping for a DynamoDB stream, as Lambda runs one: it polls the stream served
 * by DynamoDB Local (DescribeStream, GetShardIterator, GetRecords) shard by shard, in order, keeps the records
 * that match the filter, and invokes the function with batches in the event shape Lambda gives. A batch that
 * fails (the handler throws, or reports `batchItemFailures`) is retried from its first failed record, split in
 * two when bisecting, up to the retry limit; what still fails goes to `onDeadLetter`, as Lambda sends it to the
 * on-failure destination, and the shard moves on.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localAwsSettings } from './dynamodb-local.ts';
import { type FunctionTarget, invokeFunction } from './lambda-context.ts';

export interface StreamMappingOptions {
  readonly endpoint: string;
  readonly streamArn: string;
  readonly target: FunctionTarget<DynamoDBStreamEvent>;
  /** An event filter pattern, as Lambda's `FilterCriteria` takes it (exact values and nested objects). */
  readonly filter: Readonly<Record<string, unknown>>;
  readonly batchSize: number;
  readonly retryAttempts: number;
  readonly bisectBatchOnError: boolean;
  /** How often each shard is polled; Lambda polls four times a second (the default). */
  readonly pollIntervalMs?: number;
  /** The records given up on, after every retry. */
  readonly onDeadLetter: (records: readonly DynamoDBRecord[], reason: string) => void;
  /** The Streams client to read with (tests give one that injects faults); one of its own when absent. */
  readonly client?: DynamoDBStreamsClient;
}

/** The default poll interval: Lambda polls each shard of a DynamoDB stream four times a second. */
export const DEFAULT_POLL_INTERVAL_MS = 250;

/** What the mapping has done so far, for the benchmark (test/bench/push.ts): counters only, never reset. */
export interface StreamMappingStats {
  /** GetRecords calls, and the records they returned (every change to the table, before the filter). */
  getRecordsCalls: number;
  recordsRead: number;
  /** Records that matched the filter, and the invocations they took (retries included), with their total time. */
  recordsMatched: number;
  invocations: number;
  invocationMs: number;
  /** Shard iterators replaced because the stream had moved past them (trimmed records, or an expired iterator). */
  iteratorsRenewed: number;
}

/**
 * What GetRecords answers when an iterator can no longer be read: it points before the oldest record the stream
 * keeps, or it is older than an iterator may be (15 minutes on AWS). Lambda's mapping then reads on from the
 * oldest record kept; so does this one, instead of failing on that shard forever.
 */
const STALE_ITERATOR_ERRORS = new Set(['TrimmedDataAccessException', 'ExpiredIteratorException']);

export interface StreamMapping {
  readonly stats: Readonly<StreamMappingStats>;
  stop(): Promise<void>;
}

/** Starts polling at the stream's end (`LATEST` for the shards open now); shards opened later are read whole. */
export async function startStreamMapping(options: StreamMappingOptions): Promise<StreamMapping> {
  const client =
    options.client ?? new DynamoDBStreamsClient({ endpoint: options.endpoint, ...localAwsSettings });
  const iterators = new Map<string, string | null>();
  const region = await client.config.region();
  let stopped = false;
  const stats: StreamMappingStats = {
    getRecordsCalls: 0,
    recordsRead: 0,
    recordsMatched: 0,
    invocations: 0,
    invocationMs: 0,
    iteratorsRenewed: 0,
  };

  async function discoverShards(initial: boolean): Promise<void> {
    const { StreamDescription } = await client.send(
      new DescribeStreamCommand({ StreamArn: options.streamArn }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId as string;
      if (iterators.has(shardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      if (initial && closed) {
        iterators.set(shardId, null);
        continue;
      }
      iterators.set(shardId, await shardIterator(shardId, initial ? 'LATEST' : 'TRIM_HORIZON'));
    }
  }

  async function shardIterator(shardId: string, type: 'LATEST' | 'TRIM_HORIZON'): Promise<string | null> {
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({
        StreamArn: options.streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
      }),
    );
    return ShardIterator ?? null;
  }

  /** Polls one shard; an iterator the stream has moved past is replaced by one at the oldest record kept. */
  async function pollShardOrRenew(shardId: string, iterator: string): Promise<void> {
    try {
      await pollShard(shardId, iterator);
    } catch (error) {
      if (!STALE_ITERATOR_ERRORS.has((error as Error)?.name)) throw error;
      stats.iteratorsRenewed++;
      console.error(
        `local stream mapping: ${(error as Error).name} on ${shardId}; reading on from the oldest record`,
      );
      iterators.set(shardId, await shardIterator(shardId, 'TRIM_HORIZON'));
    }
  }

  async function pollShard(shardId: string, iterator: string): Promise<void> {
    const output = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    iterators.set(shardId, output.NextShardIterator ?? null);
    stats.getRecordsCalls++;
    stats.recordsRead += output.Records?.length ?? 0;
    const records = (output.Records ?? [])
      .map((record) => lambdaRecord(record, options.streamArn, region))
      .filter((record) => matchesPattern(options.filter, record));
    stats.recordsMatched += records.length;
    for (let start = 0; start < records.length; start += options.batchSize) {
      await deliver(records.slice(start, start + options.batchSize), 0);
    }
  }

  async function deliver(records: DynamoDBRecord[], attempt: number): Promise<void> {
    if (records.length === 0) return;
    let failedFrom: number | undefined;
    let reason = '';
    const invokedAt = performance.now();
    stats.invocations++;
    try {
      const result = (await invokeFunction(options.target, { Records: records })) as
        | DynamoDBBatchResponse
        | undefined;
      const failed = new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      const index = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      if (index >= 0) [failedFrom, reason] = [index, 'batchItemFailures'];
    } catch (error) {
      [failedFrom, reason] = [0, (error as Error).message];
    } finally {
      stats.invocationMs += performance.now() - invokedAt;
    }
    if (failedFrom === undefined) return;
    const remaining = records.slice(failedFrom);
    if (attempt >= options.retryAttempts) {
      options.onDeadLetter(remaining, reason);
      return;
    }
    if (options.bisectBatchOnError && remaining.length > 1) {
      const half = Math.ceil(remaining.length / 2);
      await deliver(remaining.slice(0, half), attempt + 1);
      await deliver(remaining.slice(half), attempt + 1);
    } else {
      await deliver(remaining, attempt + 1);
    }
  }

  await discoverShards(true);
  const loop = (async () => {
    while (!stopped) {
      try {
        // New shards appear as DynamoDB Local rolls them over; a parent shard is listed (and read) first.
        await discoverShards(false);
        for (const [shardId, iterator] of iterators) {
          if (iterator !== null && !stopped) await pollShardOrRenew(shardId, iterator);
        }
      } catch (error) {
        if (!stopped) console.error('local stream mapping: polling failed', error);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS));
    }
  })();

  return {
    stats,
    async stop() {
      stopped = true;
      await loop;
      client.destroy();
    },
  };
}

/** A record of the Streams API in the shape Lambda passes it (times in epoch seconds, the stream's ARN). */
function lambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...dynamodb } = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(dynamodb as DynamoDBRecord['dynamodb']),
      ...(ApproximateCreationDateTime === undefined
        ? {}
        : { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) }),
    },
  };
}

/**
 * Whether a record matches an event filter pattern: every key of the pattern must be in the record, an array
 * of values holding the record's value exactly, an object matching the record's object at that key.
 */
export function matchesPattern(pattern: Readonly<Record<string, unknown>>, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = (value as Record<string, unknown>)[key];
    if (Array.isArray(expected)) return expected.includes(actual);
    return matchesPattern(expected as Record<string, unknown>, actual);
  });
}
