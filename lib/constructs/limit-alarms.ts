import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { chatMetric, over5Minutes, PERIOD } from './observability-metrics.ts';

/**
 * The share of HTTP requests answered 4xx in five minutes that raises the alarm, in percent, once at least
 * {@link HTTP_CLIENT_ERROR_MIN_REQUESTS} requests came. Well-behaved clients meet a few 4xx (a 404 history, a
 * 409 room name, an expired token refreshed); a quarter of all answers means a broken client release, someone
 * probing, or the gateway's throttle answering 429.
 */
export const HTTP_CLIENT_ERROR_PERCENT = 25;
export const HTTP_CLIENT_ERROR_MIN_REQUESTS = 200;

/**
 * How many requests refused by a per-user rate (`RATE_LIMITED`, either API) in five minutes raise the alarm.
 * A user typing fast or a client retrying meets a few; this many means scripts at work, or limits set too
 * tight for how people really use the deployment.
 */
export const RATE_LIMITED_ALARM_THRESHOLD = 300;

/**
 * How many WebSocket requests API Gateway itself refused (4xx before any function ran: the stage throttle's
 * 429 above all, and frames it could not route) in five minutes raise the alarm.
 */
export const WEBSOCKET_CLIENT_ERROR_THRESHOLD = 100;

/** One alarm to add: the observability construct names, wires and notifies it like the others. */
export interface AlarmSpec {
  readonly id: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly description: string;
}

/**
 * The alarms on refusals: HTTP 4xx as a share of requests (gateway throttling included), requests over a
 * per-user rate, and WebSocket requests the gateway refused (its throttle included).
 */
export function refusalAlarms(
  httpApi: apigwv2.HttpApi,
  webSocketMetric: (metricName: string) => cloudwatch.IMetric,
): AlarmSpec[] {
  return [
    {
      id: 'http-4xx-rate',
      metric: new cloudwatch.MathExpression({
        expression: `IF(requests >= ${HTTP_CLIENT_ERROR_MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`,
        usingMetrics: {
          requests: httpApi.metricCount(over5Minutes('Sum')),
          errors: httpApi.metricClientError(over5Minutes('Sum')),
        },
        label: 'HTTP 4xx, % of requests',
        period: PERIOD,
      }),
      threshold: HTTP_CLIENT_ERROR_PERCENT,
      description: `At least ${HTTP_CLIENT_ERROR_PERCENT}% of HTTP requests were answered 4xx in 5 minutes (of at least ${HTTP_CLIENT_ERROR_MIN_REQUESTS}; the stage throttle's 429 included).`,
    },
    {
      id: 'rate-limited',
      metric: chatMetric('RateLimited', 'Sum'),
      threshold: RATE_LIMITED_ALARM_THRESHOLD,
      description: `Requests were refused with RATE_LIMITED (a user over their own rate) at least ${RATE_LIMITED_ALARM_THRESHOLD} times in 5 minutes.`,
    },
    {
      id: 'websocket-client-errors',
      metric: webSocketMetric('ClientError'),
      threshold: WEBSOCKET_CLIENT_ERROR_THRESHOLD,
      description: `API Gateway refused WebSocket requests (its throttle's 429 included) at least ${WEBSOCKET_CLIENT_ERROR_THRESHOLD} times in 5 minutes.`,
    },
  ];
}
