/**
 * The open connections of the emulated WebSocket API: each id with its socket, its last activity and the
 * gateway's two clocks (idle timeout and maximum connection time). Whoever ends a connection, the registry
 * forgets the id at once and reports the end exactly once.
 */

import { type RawData, WebSocket } from 'ws';
import { closeCodes } from '../contract/index.ts';
import { type ConnectionInfo, closeReason } from './websocket-events.ts';

/** An accepted connection. */
export interface Connection extends ConnectionInfo {
  socket: WebSocket;
  lastActiveAt: number;
  /** Resolves when the socket has closed. */
  socketClosed: Promise<void>;
}

/** A data frame from the client, with the time it arrived (the connection's `lastActiveAt`). */
export interface DataFrame {
  data: RawData;
  isBinary: boolean;
  receivedAt: number;
}

export interface ConnectionRegistryOptions {
  /** A connection with no data frame from the client for this long is closed (1001). */
  idleTimeoutMs: number;
  /** A connection is closed (1001) this long after it opened, whatever its activity. */
  maxConnectionMs: number;
  /** Called for every data frame the client sends, with the time it counted as activity. */
  onFrame(connection: Connection, frame: DataFrame): void;
  /** Called once per connection when it ends; resolves when the end is handled (`$disconnect` returned). */
  onEnd(connection: Connection, code: number, reason: string): Promise<void>;
}

interface Entry {
  connection: Connection;
  idleTimer: NodeJS.Timeout;
  maxTimer: NodeJS.Timeout;
}

function isOversizedFrameError(error: Error & { code?: string }): boolean {
  return error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
}

export class ConnectionRegistry {
  private readonly open = new Map<string, Entry>();
  /** Every connection that has ended, with its end; a second end returns the first. */
  private readonly ended = new WeakMap<Connection, Promise<void>>();

  constructor(private readonly options: ConnectionRegistryOptions) {}

  /** How many connections are open. */
  get size(): number {
    return this.open.size;
  }

  /** The open connection with this id; undefined once it has ended, from either side. */
  get(id: string): Connection | undefined {
    return this.open.get(id)?.connection;
  }

  /** Every open connection. */
  all(): Connection[] {
    return [...this.open.values()].map((entry) => entry.connection);
  }

  /** Registers an opened socket under the handshake's connection info and starts its clocks. */
  add(socket: WebSocket, info: ConnectionInfo): Connection {
    const connection: Connection = {
      ...info,
      socket,
      lastActiveAt: info.connectedAt,
      socketClosed: new Promise((resolve) => socket.once('close', () => resolve())),
    };
    const goingAway = () => void this.end(connection, closeCodes.goingAway);
    const entry: Entry = {
      connection,
      idleTimer: setTimeout(goingAway, this.options.idleTimeoutMs),
      maxTimer: setTimeout(goingAway, this.options.maxConnectionMs),
    };
    this.open.set(connection.id, entry);

    socket.on('message', (data, isBinary) => {
      const receivedAt = Date.now();
      connection.lastActiveAt = receivedAt;
      // AWS counts only data frames as activity, not pings.
      entry.idleTimer.refresh();
      this.options.onFrame(connection, { data, isBinary, receivedAt });
    });
    socket.on('error', (error: Error & { code?: string }) => {
      // ws has already sent the 1009 close frame; record the cause before the socket's close reports 1006.
      if (isOversizedFrameError(error)) void this.end(connection, closeCodes.messageTooBig);
    });
    socket.on('close', (code, reason) => {
      const text = reason.toString('utf8');
      void this.end(connection, code, text !== '' ? text : undefined);
    });
    return connection;
  }

  /**
   * Ends a connection, whoever closed it: the id is forgotten at once (the management API answers 410),
   * a close frame goes out if the socket is still open, and `onEnd` runs exactly once. The reason defaults to
   * the one API Gateway reports for the code.
   */
  end(connection: Connection, code: number, reason = closeReason(code)): Promise<void> {
    const previous = this.ended.get(connection);
    if (previous !== undefined) return previous;
    const entry = this.open.get(connection.id);
    if (entry !== undefined) {
      clearTimeout(entry.idleTimer);
      clearTimeout(entry.maxTimer);
      this.open.delete(connection.id);
    }
    if (connection.socket.readyState === WebSocket.OPEN) connection.socket.close(code, reason);
    const ended = this.options.onEnd(connection, code, reason);
    this.ended.set(connection, ended);
    return ended;
  }
}
