import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { metricsNamespace, serviceName } from './config.ts';

/** The custom metrics, in CloudWatch embedded metric format (log lines: no API calls, no extra IAM). */
export type MetricName =
  | 'MessagesSent'
  | 'Deliveries'
  | 'GoneConnections'
  | 'FanOutSize'
  | 'FanOutShards'
  | 'FanOutShardsSkipped'
  | 'FanOutShardFailures'
  | 'LoginFailures'
  | 'LoginLockouts'
  | 'RateLimited'
  | 'PushesSent'
  | 'PushFailures';

export type RecordMetric = (name: MetricName, value: number) => void;

const metrics = new Metrics({
  namespace: metricsNamespace(),
  serviceName: serviceName(),
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
