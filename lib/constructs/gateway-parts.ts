import { RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionName } from '../routes.ts';

/** Options both chat APIs take. */
export interface ChatGatewayProps {
  /**
   * Shown in the API Gateway console.
   *
   * @default none
   */
  readonly description?: string;
  /**
   * How long access logs are kept.
   *
   * @default one month
   */
  readonly accessLogRetention?: logs.RetentionDays;
}

/**
 * The access-log fields both APIs record: who asked, when, which route, and how it ended. Nothing that could
 * hold a token (no query string, no header, no body).
 */
export const COMMON_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  integrationLatency: '$context.integrationLatency',
} as const;

/** The log group of an API's access logs, removed with the stack. */
export function accessLogGroup(scope: Construct, props: ChatGatewayProps): logs.LogGroup {
  return new logs.LogGroup(scope, 'AccessLogs', {
    retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** One integration per function, made on first use: a function serving several routes is integrated once. */
export function integrationPerFunction<Integration>(
  make: (name: FunctionName) => Integration,
): (name: FunctionName) => Integration {
  const made = new Map<FunctionName, Integration>();
  return (name) => {
    const existing = made.get(name);
    if (existing) return existing;
    const integration = make(name);
    made.set(name, integration);
    return integration;
  };
}
