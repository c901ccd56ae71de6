import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The custom metrics, in CloudWatch embedded metric format (log lines: no API calls, no extra IAM). */
export type MetricName = 'MessagesSent' | 'Deliveries' | 'GoneConnections' | 'FanOutSize';

export type RecordMetric = (name: MetricName, value: number) => void;

const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ServerlessChat',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'chat',
});
let pending = false;

export const recordMetric: RecordMetric = (name, value) => {
  metrics.addMetric(name, MetricUnit.Count, value);
  pending = true;
};

/** Writes the invocation's metrics, if it recorded any; the wrappers call it once per invocation. */
export function flushMetrics(): void {
  if (!pending) return;
  pending = false;
  metrics.publishStoredMetrics();
}
