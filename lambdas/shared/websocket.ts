import type { APIGatewayProxyResult, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import {
  type ActionFrame,
  CLIENT_MESSAGE_ID_PATTERN,
  type SocketAction,
  type SocketErrorCode,
  socketActions,
} from '../../lib/contract/index.ts';
import { isAppError, isUnavailable, SocketError, ValidationError } from './errors.ts';
import type { RoutesOf, SocketFunctionName } from './functions.ts';
import { logger } from './logger.ts';
import type { ConnectionPoster } from './management.ts';
import { flushMetrics } from './metrics.ts';
import { parse } from './validation.ts';

/** A client frame with the connection it came from; an action's frame is parsed with the contract's schema. */
export interface SocketRequest<RouteKey extends string> {
  readonly connectionId: string;
  readonly routeKey: RouteKey;
  readonly frame: RouteKey extends SocketAction ? ActionFrame<RouteKey> : Readonly<Record<string, unknown>>;
}

export type SocketRouteHandler<RouteKey extends string> = (request: SocketRequest<RouteKey>) => Promise<void>;

/** The handlers of a WebSocket function: exactly the message routes lib/routes.ts gives it. */
export type SocketRouteHandlers<F extends SocketFunctionName> = {
  readonly [RouteKey in Exclude<RoutesOf<F>, '$connect' | '$disconnect'>]: SocketRouteHandler<RouteKey>;
};

export type WebSocketLambdaHandler = ((
  event: APIGatewayProxyWebsocketEventV2,
) => Promise<APIGatewayProxyResult>) & {
  /** The route keys this handler serves; the infra tests compare them with lib/routes.ts. */
  readonly routeKeys: readonly string[];
};

const OK: APIGatewayProxyResult = { statusCode: 200, body: '' };

/**
 * Builds the Lambda handler of WebSocket message routes. The one place that parses frames and maps errors to
 * error frames (`{type:"error", code, message, action?, clientMessageId?}`), sent to the sender through the
 * management API like every other frame; the connection always stays open.
 */
export function webSocketHandler<F extends SocketFunctionName>(
  _name: F,
  routes: SocketRouteHandlers<F>,
  poster: ConnectionPoster,
): WebSocketLambdaHandler {
  const handlers = routes as unknown as Record<string, SocketRouteHandler<string>>;
  const handler = async (event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResult> => {
    const { connectionId, routeKey } = event.requestContext;
    let frame: Record<string, unknown> | undefined;
    try {
      frame = parseFrame(event.body, event.isBase64Encoded);
      const route = handlers[routeKey];
      if (route === undefined) throw new Error(`No handler for route ${routeKey}`);
      const action = socketActions[routeKey as SocketAction];
      await route({ connectionId, routeKey, frame: action ? parse(action.frame, frame) : frame });
    } catch (error) {
      await sendError(poster, connectionId, error, frame, routeKey, event.requestContext.requestId);
    } finally {
      flushMetrics();
    }
    return OK;
  };
  return Object.assign(handler, { routeKeys: Object.keys(routes) });
}

/**
 * Builds the handler of `$connect` or `$disconnect`, whose answer is a status code: on `$connect`, 400 or more
 * refuses the handshake. Errors map to their status (401 for a bad token, 503 when the database is down).
 */
export function lifecycleHandler(
  routeKey: '$connect' | '$disconnect',
  run: (event: APIGatewayProxyWebsocketEventV2) => Promise<void>,
): WebSocketLambdaHandler {
  const handler = async (event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResult> => {
    try {
      await run(event);
      return OK;
    } catch (error) {
      // A user over their connection quota: the contract answers the handshake with 429, as for a rate.
      if (isAppError(error)) {
        return { statusCode: error.code === 'QUOTA_EXCEEDED' ? 429 : error.status, body: '' };
      }
      const context = { route: routeKey, connectionId: event.requestContext?.connectionId };
      if (isUnavailable(error)) {
        logger.warn('Database unavailable', { ...context, errorName: (error as Error).name });
        return { statusCode: 503, body: '' };
      }
      logger.error('Unhandled error', { ...context, error: error as Error });
      return { statusCode: 500, body: '' };
    } finally {
      flushMetrics();
    }
  };
  return Object.assign(handler, { routeKeys: [routeKey] });
}

function parseFrame(body: string | undefined, isBase64Encoded: boolean): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(isBase64Encoded ? Buffer.from(body ?? '', 'base64').toString('utf8') : (body ?? ''));
  } catch {
    throw new SocketError('INVALID_MESSAGE', 'Frames must be JSON objects with an "action".');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SocketError('INVALID_MESSAGE', 'Frames must be JSON objects with an "action".');
  }
  return parsed as Record<string, unknown>;
}

async function sendError(
  poster: ConnectionPoster,
  connectionId: string,
  error: unknown,
  frame: Record<string, unknown> | undefined,
  routeKey: string,
  requestId: string,
) {
  let code: SocketErrorCode = 'INTERNAL';
  let message = 'Something went wrong on our side.';
  if (error instanceof ValidationError || (isAppError(error) && error.code === 'VALIDATION_FAILED')) {
    code = 'INVALID_MESSAGE';
    message =
      (error.details ?? []).map((detail) => `${detail.field} ${detail.problem}`).join('; ') || error.message;
  } else if (isAppError(error) && error.status < 500) {
    code = error.code as SocketErrorCode;
    message = error.message;
  } else if (isUnavailable(error)) {
    logger.warn('Database unavailable', { route: routeKey, connectionId, errorName: (error as Error).name });
    code = 'UNAVAILABLE';
    message = 'The service is temporarily unavailable. Please retry.';
  } else {
    logger.error('Unhandled error', { route: routeKey, connectionId, requestId, error: error as Error });
  }
  const echo: Record<string, unknown> = {};
  // A rate limit says when to come back, as its HTTP answer does.
  if (isAppError(error) && error.retryAfterMs !== undefined) echo.retryAfterMs = error.retryAfterMs;
  if (typeof frame?.action === 'string' && frame.action.length <= 64) echo.action = frame.action;
  if (typeof frame?.clientMessageId === 'string' && CLIENT_MESSAGE_ID_PATTERN.test(frame.clientMessageId)) {
    echo.clientMessageId = frame.clientMessageId;
  }
  try {
    await poster.post(connectionId, JSON.stringify({ type: 'error', code, message, ...echo }));
  } catch (postError) {
    logger.warn('Could not send an error frame', { connectionId, errorName: (postError as Error)?.name });
  }
}
