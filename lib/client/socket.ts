/**
 * The transport under a session: opening a WebSocket with the token, reading the contract's frames off it,
 * and closing it politely but within a bound. Every failure is a `ChatClientError` that says why.
 */
import WebSocket from 'ws';
import {
  ChatClientError,
  HandshakeError,
  isChatClientError,
  networkReason,
  TimeoutError,
  UnreachableError,
} from './errors.ts';
import type { ServerFrame } from './types.ts';

/**
 * Opens a WebSocket to `url`; rejects with `HandshakeError` (the server refused with an HTTP status),
 * `TimeoutError` or `UnreachableError`.
 */
export function openSocket(url: string, token: string, handshakeTimeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // The token goes in a header rather than the query string, where access logs would keep it.
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}` },
      handshakeTimeout: handshakeTimeoutMs,
    });
    let failure: ChatClientError | undefined;
    socket.on('unexpected-response', (_request, response) => {
      failure = new HandshakeError(url, response.statusCode ?? 0);
      response.resume();
      // Aborts the handshake; ws then emits 'error' and 'close'.
      socket.terminate();
    });
    socket.on('error', (error) => {
      failure ??= /timed out/i.test(error.message)
        ? new TimeoutError(`the WebSocket handshake with ${url}`, handshakeTimeoutMs)
        : new UnreachableError(url, networkReason(error), { cause: error });
    });
    socket.once('close', () => reject(failure ?? new UnreachableError(url, 'the connection closed')));
    socket.once('open', () => {
      socket.removeAllListeners();
      resolve(socket);
    });
  });
}

/** A server frame of the contract, or `undefined` for anything else (not JSON, or API Gateway's own frames). */
export function parseServerFrame(data: WebSocket.RawData): ServerFrame | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(data.toString());
  } catch {
    return undefined;
  }
  // API Gateway's own frames (`{"message":"Internal server error"}`) have no type: not the contract's.
  if (typeof frame !== 'object' || frame === null || typeof (frame as { type?: unknown }).type !== 'string') {
    return undefined;
  }
  return frame as ServerFrame;
}

/**
 * Sends a close frame (so that the server tells the rooms this user left) and waits up to `graceMs` for the
 * server's answer before dropping the socket anyway.
 */
export async function closeSocket(socket: WebSocket, graceMs: number): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return;
  const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  if (socket.readyState === WebSocket.OPEN) socket.close(1000);
  else socket.terminate();
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([socketClosed, new Promise((resolve) => (grace = setTimeout(resolve, graceMs)))]);
  clearTimeout(grace);
  socket.terminate();
}

/** Any failure as a `ChatClientError`: the ones the client made pass through, others become `UNREACHABLE`. */
export function toClientError(error: unknown): ChatClientError {
  return isChatClientError(error)
    ? error
    : new ChatClientError('UNREACHABLE', error instanceof Error ? error.message : String(error));
}
