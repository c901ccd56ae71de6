/**
 * One HTTP request to the API: the bearer token, a time limit, JSON both ways, and every failure as a
 * `ChatClientError`: `ApiError` (with the server's code) when it answered, `UnreachableError` or
 * `TimeoutError` when it did not.
 */
import { ApiError, networkReason, TimeoutError, UnreachableError } from './errors.ts';
import type { ErrorDetail } from './types.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query parameters; `undefined` ones are left out. */
export type Query = Record<string, string | number | undefined>;

export interface RequestOptions {
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly query?: Query;
}

export interface HttpResult<T> {
  readonly status: number;
  readonly body: T;
}

/** Where and how requests go. */
export interface HttpTransport {
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

/**
 * Sends one request and resolves with the status and the parsed body of a 2xx answer (`undefined` for 204).
 * The body is trusted to be `T`: the server is the contract's, and a body that is not JSON at all is refused
 * as `BAD_RESPONSE`.
 */
export async function httpRequest<T>(
  transport: HttpTransport,
  method: HttpMethod,
  path: string,
  options: RequestOptions = {},
): Promise<HttpResult<T>> {
  const { baseUrl, token, timeoutMs } = transport;
  const url = new URL(`${baseUrl}${path}`);
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;

  let response: Response;
  let text: string;
  try {
    response = await transport.fetch(url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    if ((error as Error)?.name === 'TimeoutError') {
      throw new TimeoutError(`${method} ${path} at ${baseUrl}`, timeoutMs);
    }
    throw new UnreachableError(baseUrl, networkReason(error), { cause: error });
  }

  const body = parseJson(text);
  if (response.ok) {
    // 204 (logout, deletion) has no body by definition.
    if (response.status === 204) return { status: 204, body: undefined as T };
    if (body === undefined) {
      throw new ApiError(
        response.status,
        'BAD_RESPONSE',
        `${method} ${path} answered ${response.status} without a JSON body; is ${baseUrl} the chat HTTP API?`,
      );
    }
    return { status: response.status, body: body as T };
  }
  throw errorOf(response.status, body, baseUrl);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The contract's `{code, message, details?}`. Anything else (API Gateway's own `{"message":"Not Found"}` for
 * a path it does not know, a proxy's HTML page) still becomes an `ApiError`, with a code made from the status.
 */
function errorOf(status: number, body: unknown, baseUrl: string): ApiError {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as {
    code?: unknown;
    message?: unknown;
    details?: unknown;
    retryAfterMs?: unknown;
  };
  const details = Array.isArray(fields.details) ? (fields.details as ErrorDetail[]) : [];
  if (typeof fields.code === 'string' && fields.code !== '' && typeof fields.message === 'string') {
    const retryAfterMs = typeof fields.retryAfterMs === 'number' ? fields.retryAfterMs : undefined;
    return new ApiError(status, fields.code, fields.message, details, retryAfterMs);
  }
  const said = typeof fields.message === 'string' && fields.message !== '' ? ` (${fields.message})` : '';
  const hint = status === 403 || status === 404 ? '; is that the chat HTTP API URL?' : '';
  return new ApiError(
    status,
    `HTTP_${status}`,
    `The server at ${baseUrl} answered HTTP ${status}${said}${hint}`,
  );
}
