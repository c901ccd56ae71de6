/**
 * The notifier in the local stack: the same handler module as the Lambda function, driven by an emulated event
 * source mapping on DynamoDB Local's stream of the table, with the settings of lib/notifier.ts. Records given up
 * on are kept as the dead-letter queue would keep them.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { notifier } from '../notifier.ts';
import { tableStreamArn } from './dynamodb-local.ts';
import type { LambdaHandler } from './lambda-context.ts';
import { DEFAULT_POLL_INTERVAL_MS, type StreamMapping, startStreamMapping } from './stream-mapping.ts';

export interface DeadLetter {
  readonly reason: string;
  readonly records: readonly DynamoDBRecord[];
  readonly at: string;
}

export interface LocalNotifier {
  /** The batches given up on after every retry, oldest first. */
  readonly deadLetters: readonly DeadLetter[];
  /**
   * The ids of the messages whose records the notifier has handled without failure: whether a message pushes
   * or not, once its id is here the notifier has decided (tests wait on it where no push is expected).
   */
  readonly handledMessageIds: ReadonlySet<string>;
  /** The emulated mapping's stream reads and invocations so far (what the benchmark counts). */
  readonly stream: StreamMapping['stats'];
  /** How often the mapping polls each shard. */
  readonly pollIntervalMs: number;
  stop(): Promise<void>;
}

/** Loads the notifier's handler (its environment must be set by then) and starts polling the stream. */
export async function startLocalNotifier(options: {
  readonly repositoryRoot: string;
  readonly dynamoEndpoint: string;
  readonly tableName: string;
  readonly log: (line: string) => void;
  readonly pollIntervalMs?: number;
}): Promise<LocalNotifier> {
  const module = (await import(pathToFileURL(resolve(options.repositoryRoot, notifier.entry)).href)) as {
    handler: LambdaHandler<DynamoDBStreamEvent>;
  };
  const deadLetters: DeadLetter[] = [];
  const handledMessageIds = new Set<string>();
  const mapping: StreamMapping = await startStreamMapping({
    endpoint: options.dynamoEndpoint,
    streamArn: await tableStreamArn(options.dynamoEndpoint, options.tableName),
    target: {
      functionName: `chat-${notifier.name}`,
      handler: async (event, context, callback) => {
        const started = Date.now();
        try {
          const result = await module.handler(event, context, callback);
          const failures = (result as DynamoDBBatchResponse | undefined)?.batchItemFailures ?? [];
          const failed = new Set(failures.map((failure) => failure.itemIdentifier));
          for (const record of event.Records) {
            const messageId = record.dynamodb?.NewImage?.messageId?.S;
            if (messageId !== undefined && !failed.has(record.dynamodb?.SequenceNumber ?? '')) {
              handledMessageIds.add(messageId);
            }
          }
          options.log(
            `STREAM notifier ${event.Records.length} records, ${failed.size} failed ${Date.now() - started}ms`,
          );
          return result;
        } catch (error) {
          options.log(`STREAM notifier ${event.Records.length} records: ${(error as Error).message}`);
          throw error;
        }
      },
    },
    filter: notifier.filter,
    batchSize: notifier.batchSize,
    retryAttempts: notifier.retryAttempts,
    bisectBatchOnError: notifier.bisectBatchOnError,
    pollIntervalMs: options.pollIntervalMs,
    onDeadLetter: (records, reason) => {
      deadLetters.push({ reason, records, at: new Date().toISOString() });
      options.log(`STREAM notifier gave up on ${records.length} records (dead-letter queue): ${reason}`);
    },
  });
  return {
    deadLetters,
    handledMessageIds,
    stream: mapping.stats,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    stop: () => mapping.stop(),
  };
}
