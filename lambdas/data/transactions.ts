import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** The outcome of a transaction: done, or refused by the conditions at these item indexes. */
export type TransactionOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly failedConditions: number[] };

const MAX_ATTEMPTS = 5;

/**
 * Runs a write transaction. A failed condition is an answer (a username is taken), not an error. Concurrent
 * transactions on the same items cancel each other with `TransactionConflict`, which the SDK does not retry:
 * retry here with jittered backoff, so that the loser then sees the winner's write as a failed condition.
 */
export async function transactWrite(
  doc: DynamoDBDocumentClient,
  items: TransactItems,
): Promise<TransactionOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons === undefined) throw error;
      const failedConditions = reasons.flatMap((code, index) =>
        code === 'ConditionalCheckFailed' ? [index] : [],
      );
      if (failedConditions.length > 0) return { ok: false, failedConditions };
      if (attempt >= MAX_ATTEMPTS || !reasons.includes('TransactionConflict')) throw error;
      await sleep(Math.random() * 20 * 2 ** attempt);
    }
  }
}

function cancellationReasons(error: unknown): string[] | undefined {
  if ((error as { name?: unknown })?.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? 'None');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs one conditional write: true when it was done, false when its condition failed (an answer, such as "the
 * refresh token was rotated meanwhile"), any other error thrown.
 */
export async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if ((error as { name?: unknown })?.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}
