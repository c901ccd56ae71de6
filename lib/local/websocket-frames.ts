/**
 * What the emulated WebSocket API does with a client's data frame: a text frame goes to the function of the
 * route it selects; a binary frame ends the connection. (Frames over the size limit never get here: the
 * WebSocket server closes them with 1009 as it reads them.)
 */

import { type RawData, WebSocket } from 'ws';
import { closeCodes } from '../contract/index.ts';
import { newRequestId } from './lambda-context.ts';
import type { Connection, DataFrame } from './websocket-connections.ts';
import { messageEvent } from './websocket-events.ts';
import type { WebSocketLogEntry, WebSocketRoutes } from './websocket-routes.ts';

/** The close code for a binary frame (RFC 6455 "unsupported data"). */
export const BINARY_FRAME_CLOSE_CODE = closeCodes.unsupportedData;

export interface FrameRouterOptions {
  routes: WebSocketRoutes;
  /** Ends the connection with a close code, as the registry does. */
  end(connection: Connection, code: number): Promise<void>;
  log(entry: WebSocketLogEntry): void;
}

function frameText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Sends a JSON frame of the gateway's own (not a function's) if the socket is still open. */
function sendGatewayFrame(connection: Connection, frame: unknown): void {
  if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(JSON.stringify(frame));
}

/**
 * Handles one data frame; resolves once the function it went to has returned. The functions of different
 * frames run concurrently, as on AWS.
 */
export async function routeFrame(
  options: FrameRouterOptions,
  connection: Connection,
  frame: DataFrame,
): Promise<void> {
  if (frame.isBinary) {
    // API Gateway does not accept binary frames from clients: it disconnects the client with 1003 ("Binary
    // media types for WebSocket APIs in API Gateway", API Gateway developer guide). No function sees the frame.
    await options.end(connection, BINARY_FRAME_CLOSE_CODE);
    return;
  }
  // The event's time is the frame's arrival, the same instant GetConnection reports as `lastActiveAt`.
  const now = frame.receivedAt;
  const requestId = newRequestId();
  const text = frameText(frame.data);
  const routeKey = options.routes.select(text);
  const route = options.routes.get(routeKey);
  if (route === undefined) {
    // What API Gateway answers when no route matches and there is no $default route.
    sendGatewayFrame(connection, { message: 'Forbidden', connectionId: connection.id, requestId });
    options.log({ kind: 'unrouted', requestId, connectionId: connection.id, status: 403, durationMs: 0 });
    return;
  }
  const event = messageEvent(connection, routeKey, text, { requestId, now, messageId: newRequestId() });
  const outcome = await options.routes.invoke(route, event);
  // Without a route response, API Gateway does not forward what the function returns; it reports a failure.
  if (outcome.failed) {
    sendGatewayFrame(connection, {
      message: 'Internal server error',
      connectionId: connection.id,
      requestId,
    });
  }
}
