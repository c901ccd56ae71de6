import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { tableSchema } from '../../lambdas/data/schema.ts';
import type { MetricName } from '../../lambdas/shared/metrics.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from './chat-function.ts';

/**
 * The metrics the chat's alarms and dashboard are built from (lib/constructs/observability.ts), all over the
 * same five-minute period.
 */

/**
 * The custom metrics the functions emit through Powertools Metrics (embedded metric format), in the namespace
 * `POWERTOOLS_METRICS_NAMESPACE` with the dimension `service` = `POWERTOOLS_SERVICE_NAME`.
 */
export const CHAT_METRIC_NAMES = [
  'MessagesSent',
  'Deliveries',
  'GoneConnections',
  'FanOutSize',
  'FanOutShards',
  'FanOutShardsSkipped',
  'FanOutShardFailures',
  'LoginFailures',
  'LoginLockouts',
  'RateLimited',
  'PushesSent',
  'PushFailures',
] as const satisfies readonly MetricName[];

/** Alarms and graphs look at five-minute windows. */
export const PERIOD = Duration.minutes(5);

/** One of the functions' own metrics. */
export function chatMetric(
  metricName: (typeof CHAT_METRIC_NAMES)[number],
  statistic: string,
  label?: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic,
    label,
    period: PERIOD,
  });
}

/**
 * DynamoDB throttle events on the table and on each index, reads and writes, summed. FILL: a series without
 * data points (no throttling at all, the usual case) counts as zero instead of hiding the others from the sum.
 */
export function dynamoDbThrottleSum(table: dynamodb.ITable): cloudwatch.MathExpression {
  const throttleMetrics: Record<string, cloudwatch.IMetric> = {};
  const indexNames: (string | undefined)[] = [
    undefined,
    ...tableSchema.globalSecondaryIndexes.map((index) => index.indexName),
  ];
  indexNames.forEach((indexName, position) => {
    for (const [key, metricName] of [
      ['r', 'ReadThrottleEvents'],
      ['w', 'WriteThrottleEvents'],
    ] as const) {
      throttleMetrics[`${key}${position}`] = new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: {
          TableName: table.tableName,
          ...(indexName ? { GlobalSecondaryIndexName: indexName } : {}),
        },
        statistic: 'Sum',
        period: PERIOD,
      });
    }
  });
  return new cloudwatch.MathExpression({
    expression: Object.keys(throttleMetrics)
      .map((key) => `FILL(${key}, 0)`)
      .join(' + '),
    usingMetrics: throttleMetrics,
    label: 'DynamoDB throttle events (table and indexes)',
    period: PERIOD,
  });
}

/** The options of a metric over the five-minute period of the alarms and graphs. */
export function over5Minutes(statistic: string, label?: string): cloudwatch.MetricOptions {
  return { period: PERIOD, statistic, label };
}

/** A graph on the dashboard; a row is 24 units wide. */
export function graph(
  title: string,
  width: number,
  left: cloudwatch.IMetric[],
  right?: cloudwatch.IMetric[],
): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, width, left, right });
}
