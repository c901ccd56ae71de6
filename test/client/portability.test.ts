/**
 * The session on a WebSocket that behaves as a browser's: only the standard interface, an `error` event that
 * says nothing of why, no headers. It opens every connection with a ticket (the access token never in a URL),
 * and says what it can when a handshake fails.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ChatApi,
  ChatSession,
  type ChatSessionOptions,
  HandshakeError,
  type WebSocketConstructor,
} from '../../lib/client/index.ts';
import { newClientMessageId } from '../../lib/client/message-frame.ts';
import { startTestStack } from '../support/local-stack.ts';
import { newRoom, sessionPool, signUp } from './helpers.ts';

// Two connections per user, so that the third is refused without opening ten.
const stack = await startTestStack({ limits: { connectionsPerUser: 2 } });
afterAll(() => stack.stop());

const sessions = sessionPool(stack);
afterEach(() => sessions.closeAll());

/**
 * A WebSocket class with a browser's abilities only; records the URL of every connection it opens, and lets
 * the test cut them (as a network would).
 */
function browserLike(urls: string[], cut: (() => void)[] = []): WebSocketConstructor {
  return class BrowserWebSocket {
    private readonly socket: WebSocket;
    constructor(url: string) {
      urls.push(url);
      this.socket = new WebSocket(url);
      cut.push(() => this.socket.terminate());
    }
    get readyState(): number {
      return this.socket.readyState;
    }
    send(data: string): void {
      this.socket.send(data);
    }
    close(code?: number, reason?: string): void {
      this.socket.close(code, reason);
    }
    addEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: never) => void): void {
      const call = listener as (event: unknown) => void;
      // A browser's error event is a bare Event: it does not say why (refused, 401, 429 all look the same).
      if (type === 'error') this.socket.addEventListener('error', () => call(new Event('error')));
      else this.socket.addEventListener(type, call);
    }
  };
}

const connect = async (options: ChatSessionOptions) => sessions.track(await ChatSession.connect(options));

describe('ChatSession on a browser-like WebSocket', () => {
  it('opens each connection, reconnects included, with a fresh ticket and never the access token', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const room = await newRoom(alice.api, 'browser');
    const urls: string[] = [];
    const cut: (() => void)[] = [];
    const session = await connect({
      url: stack.wsUrl,
      auth: alice.api,
      WebSocket: browserLike(urls, cut),
      reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
    });
    await session.join(room);
    const reopened = session.waitFor(
      'state',
      (change) => change.state === 'open' && change.reconnected,
      10_000,
    );
    cut[0]?.();
    await reopened;
    await expect(session.sendToRoom(room, 'from a browser')).resolves.toMatchObject({
      messageId: expect.any(String),
    });

    expect(urls.length).toBeGreaterThanOrEqual(2);
    const tickets = urls.map((url) => new URL(url).searchParams.get('ticket'));
    expect(new Set(tickets).size).toBe(urls.length);
    for (const url of urls) {
      expect([...new URL(url).searchParams.keys()]).toEqual(['ticket']);
      expect(url).not.toContain(alice.api.token);
    }
  });

  it('learns a 401 from the ticket request, before any handshake', async () => {
    const urls: string[] = [];
    const error = await connect({
      url: stack.wsUrl,
      auth: new ChatApi({ baseUrl: stack.httpUrl, token: 'not-a-jwt' }),
      WebSocket: browserLike(urls),
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(urls).toEqual([]);
  });

  it('reports a handshake that failed after the ticket as UNREACHABLE naming the URL, as a browser can', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    // The HTTP API's port: something answers there, but no WebSocket API.
    const url = stack.httpUrl.replace(/^http/, 'ws');
    const error = await connect({ url, auth: alice.api, WebSocket: browserLike([]) }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toMatchObject({ code: 'UNREACHABLE', url });
    expect((error as Error).message).toContain('the WebSocket handshake failed');
  });

  it('learns the connection quota from the ticket request, before any handshake: HandshakeError 429', async () => {
    const alice = await signUp(stack.httpUrl, 'alice');
    const open = await Promise.all(
      Array.from({ length: 2 }, () => connect({ url: stack.wsUrl, auth: alice.api, reconnect: false })),
    );
    expect(open.every((session) => session.state === 'open')).toBe(true);
    const urls: string[] = [];

    const error = await connect({ url: stack.wsUrl, auth: alice.api, WebSocket: browserLike(urls) }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(HandshakeError);
    expect(error).toMatchObject({ status: 429, code: 'QUOTA_EXCEEDED', url: stack.wsUrl });
    expect(urls).toEqual([]);
  });
});

describe('newClientMessageId', () => {
  it('gives 16 characters of the contract alphabet, from the platform crypto, each different', () => {
    const ids = Array.from({ length: 1000 }, () => newClientMessageId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Every character of the alphabet turns up: no bias towards a part of it.
    expect(new Set(ids.join('')).size).toBe(64);
  });
});
