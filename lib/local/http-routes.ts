/**
 * Route matching of the emulated HTTP API: route keys (`GET /rooms/{name}`, `ANY /files/{proxy+}`,
 * `$default`) compiled once, and the most specific match for a request, as API Gateway picks it.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { FunctionTarget } from './lambda-context.ts';

/** A route of the HTTP API and the function that serves it. */
export interface HttpGatewayRoute extends FunctionTarget<APIGatewayProxyEventV2> {
  /**
   * API Gateway's route key: `METHOD /path` with `{param}` segments and an optional trailing `{proxy+}`,
   * `ANY /path`, or `$default`.
   */
  routeKey: string;
}

/** A route key taken apart for matching. */
export interface CompiledRoute {
  route: HttpGatewayRoute;
  /** Upper-case method, or `ANY`; undefined for `$default`. */
  method?: string;
  /** Template segments: literals, `{name}` or a final `{name+}`. */
  segments: string[];
  greedy: boolean;
  literalCount: number;
}

/** The route a request matched, with its decoded path parameters. */
export interface RouteMatch {
  route: HttpGatewayRoute;
  pathParameters?: Record<string, string>;
}

/** Parses a route key; throws on one API Gateway would refuse. */
export function compileRoute(route: HttpGatewayRoute): CompiledRoute {
  if (route.routeKey === '$default') {
    return { route, segments: [], greedy: true, literalCount: -1 };
  }
  const [method, path] = route.routeKey.split(' ');
  if (method === undefined || path === undefined || !path.startsWith('/')) {
    throw new Error(`invalid HTTP route key: ${route.routeKey}`);
  }
  const segments = path.split('/').slice(1);
  const greedy = segments.at(-1)?.endsWith('+}') ?? false;
  const literalCount = segments.filter((segment) => !segment.startsWith('{')).length;
  return { route, method: method.toUpperCase(), segments, greedy, literalCount };
}

/** A URL-decoded path segment, or the segment as it is when it is not valid percent-encoding. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Matches encoded path segments against a template; parameters are URL-decoded, as API Gateway does. */
function matchSegments(
  template: CompiledRoute,
  requestSegments: string[],
): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  const fixed = template.greedy ? template.segments.length - 1 : template.segments.length;
  if (template.greedy ? requestSegments.length <= fixed : requestSegments.length !== fixed) return undefined;
  for (let index = 0; index < fixed; index++) {
    const pattern = template.segments[index] as string;
    const actual = requestSegments[index] as string;
    if (pattern.startsWith('{')) {
      // A parameter never matches an empty segment: `/rooms//messages` is not `/rooms/{name}/messages`.
      if (actual === '') return undefined;
      parameters[pattern.slice(1, -1)] = decodeSegment(actual);
    } else if (pattern !== decodeSegment(actual)) {
      return undefined;
    }
  }
  if (template.greedy) {
    const name = (template.segments.at(-1) as string).slice(1, -2);
    parameters[name] = decodeSegment(requestSegments.slice(fixed).join('/'));
  }
  return parameters;
}

/**
 * Picks the route API Gateway would: the most specific one. Non-greedy routes beat greedy ones, more literal
 * segments beat fewer, an explicit method beats `ANY`, and `$default` catches what nothing else does.
 */
export function findRoute(routes: CompiledRoute[], method: string, path: string): RouteMatch | undefined {
  // API Gateway ignores one trailing slash when matching (rawPath keeps it).
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const requestSegments = trimmed.split('/').slice(1);
  let best: { compiled: CompiledRoute; parameters: Record<string, string> } | undefined;
  const rank = (compiled: CompiledRoute) => [
    compiled.method === undefined ? 0 : 1,
    compiled.greedy ? 0 : 1,
    compiled.literalCount,
    compiled.method === 'ANY' ? 0 : 1,
  ];
  for (const compiled of routes) {
    if (compiled.method !== undefined && compiled.method !== 'ANY' && compiled.method !== method) continue;
    const parameters = compiled.method === undefined ? {} : matchSegments(compiled, requestSegments);
    if (parameters === undefined) continue;
    if (best === undefined || isBetter(rank(compiled), rank(best.compiled))) {
      best = { compiled, parameters };
    }
  }
  if (best === undefined) return undefined;
  const hasParameters = Object.keys(best.parameters).length > 0;
  return { route: best.compiled.route, pathParameters: hasParameters ? best.parameters : undefined };
}

function isBetter(candidate: number[], current: number[]): boolean {
  for (let index = 0; index < candidate.length; index++) {
    const difference = (candidate[index] as number) - (current[index] as number);
    if (difference !== 0) return difference > 0;
  }
  return false;
}

/** The path below the stage prefix, or undefined when the request is for another stage. */
export function stripStage(path: string, stagePrefix: string): string | undefined {
  if (stagePrefix === '') return path;
  if (path === stagePrefix) return '/';
  if (path.startsWith(`${stagePrefix}/`)) return path.slice(stagePrefix.length);
  return undefined;
}
