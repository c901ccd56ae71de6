/**
 * The transport under a session: the platform's WebSocket (the WHATWG interface of browsers, React Native and
 * Node >= 22; the `ws` package only on a Node without one), opened with a single-use ticket, reading the
 * contract's frames off it, and closing it politely but within a bound. Every failure is a `ChatClientError`.
 */
import {
  ChatClientError,
  isChatClientError,
  networkReason,
  TimeoutError,
  UnreachableError,
} from './errors.ts';
import type { ServerFrame } from './types.ts';

/** The part of the standard WebSocket interface the client uses: all any platform's WebSocket has. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { readonly code: number; readonly reason: string }) => void,
  ): void;
}

/** A WebSocket class with the standard constructor: `globalThis.WebSocket`, or `ws`'s. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The standard `readyState` values (the same on every platform). */
export const OPEN = 1;
export const CLOSED = 3;

/**
 * The platform's WebSocket class: `globalThis.WebSocket` where there is one, else (Node 20) the `ws`
 * package, an optional peer dependency. The specifier is a variable so that bundlers for browsers and
 * React Native, which have a WebSocket, never follow it.
 */
export async function platformWebSocket(): Promise<WebSocketConstructor> {
  const native = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (native !== undefined) return native;
  const name = 'ws';
  try {
    const loaded = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as {
      default?: WebSocketConstructor;
      WebSocket?: WebSocketConstructor;
    };
    const found = loaded.WebSocket ?? loaded.default;
    if (found !== undefined) return found;
  } catch {
    // Reported below, with what to do about it.
  }
  throw new ChatClientError(
    'UNREACHABLE',
    'This platform has no WebSocket: on Node 20 install the `ws` package (Node 22 and later have one built in).',
  );
}

/**
 * Opens a WebSocket to `url` with `?ticket=`; rejects with `TimeoutError` or `UnreachableError`. A refused
 * handshake cannot be told from a network failure: the standard WebSocket does not say why it failed (the
 * `ws` package's reason, when there is one, goes into the message).
 */
export function openSocket(
  WebSocketClass: WebSocketConstructor,
  url: string,
  ticket: string,
  handshakeTimeoutMs: number,
): Promise<WebSocketLike> {
  return new Promise((resolve, reject) => {
    const address = new URL(url);
    // A ticket rather than the access token: it opens one connection within seconds, so an access log that
    // keeps the URL keeps nothing of use.
    address.searchParams.set('ticket', ticket);
    const socket = new WebSocketClass(address.toString());
    let settled = false;
    let failure: ChatClientError | undefined;
    const fail = (error: ChatClientError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => {
      fail(new TimeoutError(`the WebSocket handshake with ${url}`, handshakeTimeoutMs));
      socket.close();
    }, handshakeTimeoutMs);
    socket.addEventListener('error', (event) => {
      // Browsers give a bare Event; `ws` adds the network error, which names the cause (connection refused).
      const cause = (event as { error?: unknown } | undefined)?.error;
      failure ??= new UnreachableError(
        url,
        cause === undefined ? 'the WebSocket handshake failed' : networkReason(cause),
        { cause },
      );
    });
    socket.addEventListener('close', () =>
      fail(failure ?? new UnreachableError(url, 'the connection closed during the handshake')),
    );
    socket.addEventListener('open', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

/** A server frame of the contract, or `undefined` for anything else (not JSON, or API Gateway's own frames). */
export function parseServerFrame(data: unknown): ServerFrame | undefined {
  // Every frame of the contract is one text message; a binary one is not the contract's.
  if (typeof data !== 'string') return undefined;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
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
 * server's answer; after that the socket is left to the platform, which ends it on its own.
 */
export async function closeSocket(socket: WebSocketLike, graceMs: number): Promise<void> {
  if (socket.readyState === CLOSED) return;
  const socketClosed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()));
  socket.close(1000);
  let grace: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([socketClosed, new Promise((resolve) => (grace = setTimeout(resolve, graceMs)))]);
  clearTimeout(grace);
}

/** Any failure as a `ChatClientError`: the ones the client made pass through, others become `UNREACHABLE`. */
export function toClientError(error: unknown): ChatClientError {
  return isChatClientError(error)
    ? error
    : new ChatClientError('UNREACHABLE', error instanceof Error ? error.message : String(error));
}
