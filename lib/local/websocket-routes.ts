/**
 * The route table of the emulated WebSocket API: which function serves which route key, how a text frame
 * selects its route, and the one place a function is called and its invocation logged.
 */
import { type FunctionTarget, invokeFunction } from './lambda-context.ts';
import type { WebSocketEvent } from './websocket-events.ts';

/** A route of the WebSocket API and the function that serves it. */
export interface WebSocketGatewayRoute extends FunctionTarget<WebSocketEvent> {
  /** `$connect`, `$disconnect`, `$default`, or an `action` value. */
  routeKey: string;
}

/** One readable log line: a function invocation, or a call to the management API. */
export interface WebSocketLogEntry {
  kind: 'invocation' | 'unrouted' | 'management';
  requestId: string;
  connectionId: string;
  /** Invocations: the route key. */
  routeKey?: string;
  functionName?: string;
  /** Management calls: the HTTP method. */
  method?: string;
  /**
   * Invocations: the `statusCode` the function returned (500 when it threw, undefined when it returned
   * none); unrouted frames: 403; management calls: the HTTP status.
   */
  status?: number;
  /** Management calls: when the call arrived (`Date.now()`); it ended `durationMs` later. */
  startedAt?: number;
  durationMs: number;
}

/** What became of an invocation: what the function returned, or that it threw (already logged). */
export type InvocationOutcome = { failed: false; result: unknown } | { failed: true };

/** The fields of a structured result that the gateway reads; none when the function returned something else. */
export function resultFields(result: unknown): { statusCode?: unknown; headers?: unknown; body?: unknown } {
  return typeof result === 'object' && result !== null ? result : {};
}

/** The `statusCode` a function returned, when it returned a number there. */
export function statusCodeOf(result: unknown): number | undefined {
  const { statusCode } = resultFields(result);
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/** The body field a `$request.body.<field>` route selection expression names; throws on any other form. */
export function routeSelectionField(expression: string): string {
  const match = /^\$request\.body\.([A-Za-z0-9_]+)$/.exec(expression);
  if (match === null) throw new Error(`unsupported route selection expression: ${expression}`);
  return match[1] as string;
}

export class WebSocketRoutes {
  private readonly routes: Map<string, WebSocketGatewayRoute>;
  private readonly selectionField: string;

  constructor(
    routes: WebSocketGatewayRoute[],
    routeSelectionExpression: string,
    private readonly log: (entry: WebSocketLogEntry) => void,
  ) {
    this.routes = new Map(routes.map((route) => [route.routeKey, route]));
    this.selectionField = routeSelectionField(routeSelectionExpression);
  }

  get(routeKey: string): WebSocketGatewayRoute | undefined {
    return this.routes.get(routeKey);
  }

  /**
   * The route key a text frame selects: the value of the selection field when a route has that key, and
   * `$default` for anything else (not JSON, not an object, no such field, no such route).
   */
  select(text: string): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return '$default';
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return '$default';
    const selected = (parsed as Record<string, unknown>)[this.selectionField];
    // The lifecycle routes are never selected by a frame.
    if (typeof selected !== 'string' || selected === '$connect' || selected === '$disconnect')
      return '$default';
    return this.routes.has(selected) ? selected : '$default';
  }

  /** Invokes a route's function and logs the invocation; a throw is logged once, with its stack, as `failed`. */
  async invoke(route: WebSocketGatewayRoute, event: WebSocketEvent): Promise<InvocationOutcome> {
    const startedAt = Date.now();
    const { requestId, connectionId, routeKey } = event.requestContext;
    const entry = {
      kind: 'invocation' as const,
      requestId,
      connectionId,
      routeKey,
      functionName: route.functionName,
    };
    try {
      const result = await invokeFunction(route, event);
      this.log({ ...entry, status: statusCodeOf(result), durationMs: Date.now() - startedAt });
      return { failed: false, result };
    } catch (error) {
      console.error(`[${route.functionName}] ${routeKey} failed (connection ${connectionId}):`, error);
      this.log({ ...entry, status: 500, durationMs: Date.now() - startedAt });
      return { failed: true };
    }
  }
}
