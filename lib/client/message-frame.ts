/**
 * The `message` frame a session sends, checked before it goes: a clientMessageId the server will echo, and a
 * size the gateway accepts.
 */
import { randomBytes } from 'node:crypto';
// The limits module only, not the contract's index: it holds plain values, and no schema code comes with it.
import { CLIENT_MESSAGE_ID_PATTERN, limits } from '../contract/limits.ts';
import { ChatClientError } from './errors.ts';
import type { ClientFrame, MessageTarget, SendOptions } from './types.ts';

export type { MessageTarget } from './types.ts';

/** 16 characters of `A-Za-z0-9_-`, as the contract allows for a clientMessageId. */
export function newClientMessageId(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * The frame for `text` to `target`, with `options.clientMessageId` or a new one. Throws `INVALID_MESSAGE`
 * for a malformed clientMessageId or a frame over the gateway's limit.
 */
export function messageFrame(
  target: MessageTarget,
  text: string,
  options: SendOptions,
): ClientFrame & { readonly clientMessageId: string } {
  const clientMessageId = options.clientMessageId ?? newClientMessageId();
  // The server would not echo a malformed id, so its error could not be matched: refuse it here.
  if (!CLIENT_MESSAGE_ID_PATTERN.test(clientMessageId)) {
    throw new ChatClientError(
      'INVALID_MESSAGE',
      `clientMessageId must be ${limits.clientMessageIdCharacters.min} to ${limits.clientMessageIdCharacters.max} of A-Z, a-z, 0-9, "_" and "-".`,
    );
  }
  const reply = options.replyTo === undefined ? {} : { replyTo: options.replyTo };
  const frame = { action: 'message' as const, ...target, text, clientMessageId, ...reply };
  // A frame over the gateway's limit closes the connection (1009); re-sent after the reconnect, it would
  // close the next one too.
  if (Buffer.byteLength(JSON.stringify(frame)) > limits.maxFrameBytes) {
    throw new ChatClientError(
      'INVALID_MESSAGE',
      `The message is larger than the ${limits.maxFrameBytes / 1024} KB a WebSocket frame may carry.`,
    );
  }
  return frame;
}
