/**
 * The notifier function and the event source mapping that drives it from the table's stream, declared once: the
 * CDK stack (lib/constructs/notifier.ts) and the local stack's emulated mapping (lib/local/stream-mapping.ts)
 * both read these settings, so the same filter, batch size and retry policy apply on AWS and locally.
 */
import { MESSAGE_STREAM_FILTER } from '../lambdas/data/stream.ts';

export const notifier = {
  name: 'notifier',
  entry: 'lambdas/handlers/notifier.ts',
  /** Records per invocation: pushes are independent, so a small batch keeps a failed one's retries cheap. */
  batchSize: 10,
  /** Tries after the first, each after a bisected batch; then the record goes to the dead-letter queue. */
  retryAttempts: 3,
  bisectBatchOnError: true,
  /** Only the inserts of message items reach the function (the rest of the stream costs no invocation). */
  filter: MESSAGE_STREAM_FILTER,
  /** A push is worth sending while it is news: records older than this are dropped to the dead-letter queue. */
  maxRecordAgeSeconds: 60 * 60,
} as const;
