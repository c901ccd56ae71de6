import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { httpRouteKey, httpRoutes } from '../../lib/routes.ts';
import {
  type AppError,
  InvalidJsonError,
  isAppError,
  isUnavailable,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnavailableError,
} from './errors.ts';
import { logger } from './logger.ts';
import { flushMetrics } from './metrics.ts';
import { bearerToken, type Identity, type SigningKeyProvider, verifyToken } from './tokens.ts';

/** The contract's limit on request bodies. */
export const MAX_BODY_BYTES = 16 * 1024;

export interface HttpRequest {
  /** The parsed JSON object of a POST; undefined for GET. */
  readonly body: unknown;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** The verified caller on authenticated routes (see `signedIn`). */
  readonly identity: Identity | undefined;
}

export interface HttpResult {
  readonly status: number;
  readonly body: unknown;
}

export type HttpRouteHandler = (request: HttpRequest) => Promise<HttpResult>;

export type HttpLambdaHandler = ((
  event: APIGatewayProxyEventV2,
  context?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>) & {
  /** The route keys this handler serves; the infra tests compare them with lib/routes.ts. */
  readonly routeKeys: readonly string[];
};

const authenticatedRouteKeys = new Set(
  httpRoutes.filter((route) => route.authenticated).map((route) => httpRouteKey(route)),
);

/** The caller of an authenticated route. */
export function signedIn(request: HttpRequest): Identity {
  if (request.identity === undefined) throw new UnauthorizedError();
  return request.identity;
}

/**
 * Builds a Lambda handler for an HTTP API function from its routes, keyed as API Gateway keys them
 * (`POST /rooms`). It is the one place that reads the event, enforces the body limit, parses JSON, verifies the
 * bearer token of authenticated routes (as lib/routes.ts declares them) and maps every error to the contract.
 */
export function httpHandler(
  routes: Readonly<Record<string, HttpRouteHandler>>,
  signingKey?: SigningKeyProvider,
): HttpLambdaHandler {
  const handler = async (
    event: APIGatewayProxyEventV2,
    context?: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    // What a log entry of this request carries: never a token, a password or message text.
    const logContext: Record<string, string | undefined> = {
      route: event.routeKey,
      requestId: event.requestContext?.requestId,
      lambdaRequestId: context?.awsRequestId,
    };
    try {
      const route = routes[event.routeKey];
      if (route === undefined) throw new NotFoundError('NOT_FOUND', 'There is no such route.');
      const identity = authenticatedRouteKeys.has(event.routeKey)
        ? await authenticate(event, signingKey)
        : undefined;
      logContext.userId = identity?.userId;
      // Bodies are read for POST routes only: the `$default` fallback answers 404 whatever was sent.
      const body = event.routeKey.startsWith('POST ') ? parseBody(event) : undefined;
      const result = await route({
        body,
        pathParameters: event.pathParameters ?? {},
        query: event.queryStringParameters ?? {},
        identity,
      });
      return json(result.status, result.body);
    } catch (error) {
      return errorResponse(error, logContext);
    } finally {
      flushMetrics();
    }
  };
  return Object.assign(handler, { routeKeys: Object.keys(routes) });
}

async function authenticate(event: APIGatewayProxyEventV2, signingKey: SigningKeyProvider | undefined) {
  const token = bearerToken(event.headers?.authorization);
  if (token === undefined) throw new UnauthorizedError();
  if (signingKey === undefined) throw new Error('An authenticated route needs a signing key provider');
  return verifyToken(await signingKey(), token);
}

function parseBody(event: APIGatewayProxyEventV2): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new InvalidJsonError('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidJsonError();
  return parsed;
}

function errorResponse(error: unknown, context: Record<string, unknown>): APIGatewayProxyStructuredResultV2 {
  if (isAppError(error)) return problem(error);
  if (isUnavailable(error)) {
    logger.warn('Database unavailable', { ...context, errorName: (error as Error).name });
    return problem(new UnavailableError());
  }
  // Unexpected: logged once here, with its stack; the client learns nothing about it.
  logger.error('Unhandled error', { ...context, error: error as Error });
  return json(500, { code: 'INTERNAL', message: 'Something went wrong on our side.' });
}

function problem(error: AppError): APIGatewayProxyStructuredResultV2 {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.details !== undefined) body.details = error.details;
  return json(error.status, body);
}

function json(status: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
