import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import {
  errorsOf,
  HTTP_FALLBACK_ROUTE_KEY,
  type HttpRouteKey,
  type HttpRouteOf,
  type HttpRouteSpec,
  httpRoutes,
  limits,
  type RequestBodyOf,
} from '../../lib/contract/index.ts';
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
import type { HttpFunctionName, RoutesOf } from './functions.ts';
import { functionRoutes } from './functions.ts';
import { logger } from './logger.ts';
import { flushMetrics } from './metrics.ts';
import { type Authenticator, bearerToken, type Identity } from './tokens.ts';
import { parse } from './validation.ts';

type Output<Schema> = Schema extends z.ZodMiniType ? z.output<Schema> : undefined;

/** A request of route `Key`, its body, path parameters and query already parsed with the contract's schemas. */
export interface HttpRequest<Key extends HttpRouteKey> {
  readonly body: RequestBodyOf<Key>;
  readonly params: HttpRouteOf<Key> extends { params: infer P } ? Output<P> : undefined;
  readonly query: HttpRouteOf<Key> extends { query: infer Q } ? Output<Q> : undefined;
  /** The verified caller: present exactly on the routes the contract marks `auth`. */
  readonly identity: HttpRouteOf<Key>['auth'] extends true ? Identity : undefined;
  /** The client's address as API Gateway saw it (`requestContext.http.sourceIp`); empty if it said none. */
  readonly sourceIp: string;
}

/** What route `Key` may answer on success: one of its statuses, with a body of that status's schema. */
export type HttpResult<Key extends HttpRouteKey> = {
  [Status in keyof HttpRouteOf<Key>['responses'] & number]: {
    readonly status: Status;
    readonly body: HttpRouteOf<Key>['responses'][Status] extends { schema: infer Schema }
      ? z.input<Schema & z.ZodMiniType>
      : undefined;
  };
}[keyof HttpRouteOf<Key>['responses'] & number];

export type HttpRouteHandler<Key extends HttpRouteKey> = (
  request: HttpRequest<Key>,
) => Promise<HttpResult<Key>>;

/** The handlers of a function: exactly the contract routes lib/routes.ts gives it, the fallback aside. */
export type HttpRouteHandlers<F extends HttpFunctionName> = {
  readonly [Key in Exclude<RoutesOf<F>, typeof HTTP_FALLBACK_ROUTE_KEY>]: HttpRouteHandler<Key>;
};

export type HttpLambdaHandler = ((
  event: APIGatewayProxyEventV2,
  context?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>) & {
  /** The route keys this handler serves; the infra tests compare them with the function's routes. */
  readonly routeKeys: readonly string[];
};

/**
 * Builds the Lambda handler of HTTP function `name`. It is the one place that reads the event, enforces the body
 * limit, parses JSON, validates the body, path parameters and query against the contract, authenticates the
 * bearer token of authenticated routes (signature, claims, and a live session of the token's user), and maps every error to the contract's shape. The fallback route (`$default`,
 * when the function serves it) answers 404 NOT_FOUND for any method and path.
 */
export function httpHandler<F extends HttpFunctionName>(
  name: F,
  routes: HttpRouteHandlers<F>,
  authenticator?: Authenticator,
): HttpLambdaHandler {
  const served = functionRoutes[name].routes as readonly string[];
  const handlers = routes as unknown as Record<
    string,
    (request: unknown) => Promise<{ status: number; body: unknown }>
  >;
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
    const spec: HttpRouteSpec | undefined = served.includes(event.routeKey)
      ? httpRoutes[event.routeKey as HttpRouteKey]
      : undefined;
    try {
      const route = handlers[event.routeKey];
      if (spec === undefined || route === undefined) {
        throw new NotFoundError('NOT_FOUND', 'There is no such route.');
      }
      const identity = spec.auth ? await authenticate(event, authenticator) : undefined;
      logContext.userId = identity?.userId;
      // Malformed JSON first, then the path, the query and the body's fields, in the order a reader checks them.
      const rawBody = spec.body ? parseBody(event) : undefined;
      const params = spec.params ? parse(spec.params, event.pathParameters ?? {}) : undefined;
      const query = spec.query ? parse(spec.query, event.queryStringParameters ?? {}) : undefined;
      const body = spec.body ? parse(spec.body, rawBody) : undefined;
      const sourceIp = event.requestContext?.http?.sourceIp ?? '';
      const result = await route({ body, params, query, identity, sourceIp });
      return json(result.status, result.body);
    } catch (error) {
      return errorResponse(error, spec, logContext);
    } finally {
      flushMetrics();
    }
  };
  return Object.assign(handler, { routeKeys: [...Object.keys(routes), ...served.filter(isFallback)] });
}

const isFallback = (routeKey: string) => routeKey === HTTP_FALLBACK_ROUTE_KEY;

async function authenticate(event: APIGatewayProxyEventV2, authenticator: Authenticator | undefined) {
  const token = bearerToken(event.headers?.authorization);
  if (token === undefined) throw new UnauthorizedError();
  if (authenticator === undefined) throw new Error('An authenticated route needs an authenticator');
  return authenticator(token);
}

function parseBody(event: APIGatewayProxyEventV2): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > limits.maxBodyBytes) throw new PayloadTooLargeError(limits.maxBodyBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new InvalidJsonError('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidJsonError();
  return parsed;
}

function errorResponse(
  error: unknown,
  spec: HttpRouteSpec | undefined,
  context: Record<string, unknown>,
): APIGatewayProxyStructuredResultV2 {
  if (isAppError(error)) {
    // The contract lists each route's codes; answering another is a bug in the server, not the client's fault.
    if (spec !== undefined && !errorsOf(spec).includes(error.code as never)) {
      logger.error('A route answered an error code its contract does not list', {
        ...context,
        code: error.code,
      });
    }
    return problem(error);
  }
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
  if (error.retryAfterMs === undefined) return json(error.status, body);
  const retryAfterMs = Math.max(1, Math.ceil(error.retryAfterMs));
  body.retryAfterMs = retryAfterMs;
  return json(error.status, body, { 'retry-after': String(retryAfterSeconds(retryAfterMs)) });
}

/** `Retry-After` in whole seconds, rounded up and at least 1, so that a client waiting that long is let in. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  // A 204 (logout) has no body, so no content type either.
  if (body === undefined) return { statusCode: status };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
