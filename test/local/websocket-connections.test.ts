import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  type Connection,
  ConnectionRegistry,
  type ConnectionRegistryOptions,
} from '../../lib/local/websocket-connections.ts';

/** One registry behind a real WebSocket server, and a real client connected to it. */
interface Pair {
  registry: ConnectionRegistry;
  connection: Connection;
  client: WebSocket;
  clientClosed: Promise<number>;
  ends: { id: string; code: number; reason: string }[];
  frames: string[];
}

const servers: WebSocketServer[] = [];
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function connectedPair(clocks: Partial<ConnectionRegistryOptions> = {}): Promise<Pair> {
  const ends: Pair['ends'] = [];
  const frames: string[] = [];
  const registry = new ConnectionRegistry({
    idleTimeoutMs: 60_000,
    maxConnectionMs: 60_000,
    onFrame: (_connection, { data }) => frames.push(data.toString()),
    onEnd: async (connection, code, reason) => {
      ends.push({ id: connection.id, code, reason });
    },
    ...clocks,
  });
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const accepted = new Promise<Connection>((resolve) =>
    server.once('connection', (socket) =>
      resolve(
        registry.add(socket, {
          id: 'conn-1',
          stage: 'local',
          connectedAt: Date.now(),
          identity: { sourceIp: '127.0.0.1' },
          domainName: 'localhost',
        }),
      ),
    ),
  );
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  clients.push(client);
  const clientClosed = new Promise<number>((resolve) => client.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  return { registry, connection: await accepted, client, clientClosed, ends, frames };
}

const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 5000, interval: 10 });

describe('connection registry', () => {
  it('holds an accepted connection under its id until it ends', async () => {
    const { registry, connection } = await connectedPair();

    expect(registry.get('conn-1')).toBe(connection);
    expect(registry.size).toBe(1);
    expect(registry.all()).toEqual([connection]);
  });

  it('closes an idle connection with 1001, forgets it and reports the end once', async () => {
    const { registry, clientClosed, ends } = await connectedPair({ idleTimeoutMs: 100 });

    expect(await clientClosed).toBe(1001);
    await waitFor(() => expect(ends).toHaveLength(1));
    expect(ends).toEqual([{ id: 'conn-1', code: 1001, reason: 'Going away' }]);
    expect(registry.get('conn-1')).toBeUndefined();
    expect(registry.size).toBe(0);
  });

  it('counts each data frame as activity: the idle clock restarts, the frame is passed on', async () => {
    const { connection, client, clientClosed, ends, frames } = await connectedPair({ idleTimeoutMs: 1000 });
    const connectedAt = connection.lastActiveAt;

    // Frames for half again the idle timeout: without the restarts the connection would have closed.
    for (let sent = 0; sent < 15; sent++) {
      client.send(`frame ${sent}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(client.readyState).toBe(WebSocket.OPEN);
    expect(ends).toEqual([]);
    await waitFor(() => expect(frames).toHaveLength(15));
    expect(connection.lastActiveAt).toBeGreaterThan(connectedAt);

    expect(await clientClosed).toBe(1001);
  });

  it('closes at the maximum connection time even while the client is active', async () => {
    const { client, clientClosed, ends } = await connectedPair({ maxConnectionMs: 300 });
    const keepBusy = setInterval(() => client.send('busy'), 50);

    try {
      expect(await clientClosed).toBe(1001);
    } finally {
      clearInterval(keepBusy);
    }
    await waitFor(() => expect(ends.map((end) => end.code)).toEqual([1001]));
  });

  it('ends a connection once, whoever ends it first, and answers a second end with the first', async () => {
    const { registry, connection, clientClosed, ends } = await connectedPair();

    const first = registry.end(connection, 1000);
    const second = registry.end(connection, 4000, 'again');

    expect(second).toBe(first);
    expect(await clientClosed).toBe(1000);
    await first;
    // The client's answering close frame reaches the registry too, and must not count as a second end.
    await new Promise((resolve) =>
      connection.socket.readyState === WebSocket.CLOSED
        ? resolve(undefined)
        : connection.socket.once('close', resolve),
    );
    expect(ends).toEqual([{ id: 'conn-1', code: 1000, reason: 'Connection Closed Normally' }]);
  });

  it('reports the code and reason the client closed with, and 1006 when its socket drops', async () => {
    const closing = await connectedPair();
    closing.client.close(4001, 'bye');
    await waitFor(() => expect(closing.ends).toEqual([{ id: 'conn-1', code: 4001, reason: 'bye' }]));

    const dropping = await connectedPair();
    dropping.client.terminate();
    await waitFor(() =>
      expect(dropping.ends).toEqual([{ id: 'conn-1', code: 1006, reason: 'Connection closed abnormally' }]),
    );
  });
});
