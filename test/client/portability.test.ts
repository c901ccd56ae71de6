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
function browserLike(
  urls: string[],
  cut: (() => void)[] = [],
  /** Given: every `message` frame is handed to the client twice, and recorded here each time. */
  twice?: string[],
): WebSocketConstructor {
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
      else if (type === 'message' && twice !== undefined)
        this.socket.addEventListener('message', (event) => {
          const repeats = JSON.parse(String(event.data)).type === 'message' ? 2 : 1;
          for (let copy = 0; copy < repeats; copy++) {
            if (repeats === 2) twice.push(String(event.data));
            call(event);
          }
        });
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

  it('hears a message delivered twice (as a large room may, at least once) as one event', async () => {
    const [alice, bob] = await Promise.all([signUp(stack.httpUrl, 'alice'), signUp(stack.httpUrl, 'bob')]);
    const room = await newRoom(alice.api, 'twice');
    const deliveries: string[] = [];
    const listener = await connect({
      url: stack.wsUrl,
      auth: bob.api,
      WebSocket: browserLike([], [], deliveries),
    });
    const sender = await connect({ url: stack.wsUrl, auth: alice.api });
    await listener.join(room);
    await sender.join(room);
    const heard: string[] = [];
    listener.on('message', (message) => heard.push(message.text));
    const last = listener.waitFor('message', (message) => message.text === 'two', 5_000);

    await sender.sendToRoom(room, 'one');
    await sender.sendToRoom(room, 'two');
    await last;

    expect(deliveries).toHaveLength(4);
    expect(heard).toEqual(['one', 'two']);
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
