import { isChatClientError } from '../../lib/client/index.ts';

/** One sentence for the alert region: the contract's message, with its code for anyone reporting it. */
export function describeError(error: unknown): string {
  if (isChatClientError(error)) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
