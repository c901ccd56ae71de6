/**
 * Alarms (function errors and throttles, HTTP 5xx, WebSocket integration and execution errors, DynamoDB
 * throttling, refusals: HTTP 4xx rate, per-user rates, WebSocket gateway refusals), their optional e-mail topic, and the dashboard with the same signals and the message volume.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tableSchema } from '../../lambdas/data/schema.ts';
import type { EnvironmentSettings } from '../../lambdas/shared/environment.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lib/constructs/chat-function.ts';
import {
  HTTP_CLIENT_ERROR_MIN_REQUESTS,
  HTTP_CLIENT_ERROR_PERCENT,
  RATE_LIMITED_ALARM_THRESHOLD,
  WEBSOCKET_CLIENT_ERROR_THRESHOLD,
} from '../../lib/constructs/limit-alarms.ts';
import {
  CHAT_METRIC_NAMES,
  LOGIN_FAILURE_ALARM_THRESHOLD,
  LOGIN_LOCKOUT_ALARM_THRESHOLD,
} from '../../lib/constructs/observability.ts';
import { type FunctionName, functionNames } from '../../lib/routes.ts';
import { synthChatStack } from './synth.ts';

// Prepare + Act: the default stack (no alarm e-mail) and one with an e-mail.
const quiet = synthChatStack();
const notifying = synthChatStack({ props: { alarmEmail: 'oncall@example.com' } });

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

function resourcesOf(synth: typeof quiet): Record<string, Resource> {
  return synth.template.toJSON().Resources;
}

function logicalIdOf(synth: typeof quiet, construct: { node: { defaultChild?: unknown } }): string {
  return synth.stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function alarmsOf(synth: typeof quiet): Record<string, Resource> {
  return Object.fromEntries(
    Object.entries(resourcesOf(synth)).filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm'),
  );
}

/** The one alarm on this metric with these dimensions (a simple metric alarm). */
function alarmOn(namespace: string, metricName: string, dimensions: unknown[]): Resource {
  const matching = Object.values(alarmsOf(quiet)).filter(
    (alarm) =>
      alarm.Properties.Namespace === namespace &&
      alarm.Properties.MetricName === metricName &&
      JSON.stringify(alarm.Properties.Dimensions) === JSON.stringify(dimensions),
  );
  expect(matching).toHaveLength(1);
  return matching[0];
}

/** The dashboard body with its CloudFormation tokens turned into `<Ref:X>` / `<X.Arn>` placeholders. */
function dashboardBodyOf(synth: typeof quiet): {
  widgets: { type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[] } }[];
} {
  const dashboards = Object.values(resourcesOf(synth)).filter(
    (resource) => resource.Type === 'AWS::CloudWatch::Dashboard',
  );
  expect(dashboards).toHaveLength(1);
  const [, parts] = (dashboards[0].Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })[
    'Fn::Join'
  ];
  const body = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (token.Ref) return `<Ref:${token.Ref}>`;
      if (token['Fn::GetAtt']) return `<${token['Fn::GetAtt'].join('.')}>`;
      throw new Error(`Unexpected token in the dashboard body: ${JSON.stringify(part)}`);
    })
    .join('');
  return JSON.parse(body);
}

const tableId = logicalIdOf(quiet, quiet.stack.table);
const httpApiId = logicalIdOf(quiet, quiet.stack.httpApi.api);
const webSocketApiId = logicalIdOf(quiet, quiet.stack.webSocketApi.api);
const functionIdOf = (name: FunctionName) => logicalIdOf(quiet, quiet.stack.functions.byName[name]);

describe('the alarms', () => {
  it.each(functionNames)('watch the errors and the throttles of the %s function', (name) => {
    for (const metricName of ['Errors', 'Throttles']) {
      const alarm = alarmOn('AWS/Lambda', metricName, [
        { Name: 'FunctionName', Value: { Ref: functionIdOf(name) } },
      ]);

      expect(alarm.Properties).toMatchObject({
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
      });
    }
  });

  it('watch the 5xx answers of the HTTP API', () => {
    const alarm = alarmOn('AWS/ApiGateway', '5xx', [{ Name: 'ApiId', Value: { Ref: httpApiId } }]);

    expect(alarm.Properties).toMatchObject({ Statistic: 'Sum', Threshold: 1 });
  });

  it.each(['IntegrationError', 'ExecutionError'])(
    'watch the %s count of the WebSocket stage',
    (metricName) => {
      const alarm = alarmOn('AWS/ApiGateway', metricName, [
        { Name: 'ApiId', Value: { Ref: webSocketApiId } },
        { Name: 'Stage', Value: 'prod' },
      ]);

      expect(alarm.Properties.Statistic).toBe('Sum');
      expect(alarm.Properties.Threshold).toBeGreaterThanOrEqual(1);
    },
  );

  it('watch DynamoDB read and write throttling on the table and on every index', () => {
    const alarms = Object.values(alarmsOf(quiet)).filter(
      (alarm) => alarm.Properties.AlarmName === 'ServerlessChat-dynamodb-throttles',
    );
    expect(alarms).toHaveLength(1);
    const metrics = alarms[0].Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] } };
    }[];
    const watched = metrics
      .filter((metric) => metric.MetricStat)
      .map((metric) => {
        const { Namespace, MetricName, Dimensions } = metric.MetricStat?.Metric ?? {};
        return JSON.stringify({ Namespace, MetricName, Dimensions });
      });
    const expression = metrics.find((metric) => metric.Expression)?.Expression ?? '';

    for (const indexName of [
      undefined,
      ...tableSchema.globalSecondaryIndexes.map((index) => index.indexName),
    ]) {
      for (const metricName of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
        const dimensions: unknown[] = [{ Name: 'TableName', Value: { Ref: tableId } }];
        if (indexName) dimensions.unshift({ Name: 'GlobalSecondaryIndexName', Value: indexName });
        expect(watched).toContain(
          JSON.stringify({ Namespace: 'AWS/DynamoDB', MetricName: metricName, Dimensions: dimensions }),
        );
      }
    }
    // Every series is in the sum, a missing one counting as zero.
    for (const metric of metrics.filter((candidate) => candidate.MetricStat)) {
      expect(expression).toContain(`FILL(${metric.Id}, 0)`);
    }
    expect(alarms[0].Properties.Threshold).toBe(1);
  });

  it.each([
    ['LoginLockouts', LOGIN_LOCKOUT_ALARM_THRESHOLD],
    ['LoginFailures', LOGIN_FAILURE_ALARM_THRESHOLD],
  ])('watch the rate of the login function’s %s', (metricName, threshold) => {
    const alarm = alarmOn(METRICS_NAMESPACE, metricName as string, [
      { Name: 'service', Value: SERVICE_NAME },
    ]);

    expect(alarm.Properties).toMatchObject({
      Statistic: 'Sum',
      Period: 300,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    // More than a forgetful user's handful, and within what one address alone reaches in a window.
    expect(threshold).toBeGreaterThan(10);
    expect(threshold).toBeLessThanOrEqual(200);
  });

  it('watch the share of HTTP requests answered 4xx, once there are enough requests to judge', () => {
    const [alarm] = Object.values(alarmsOf(quiet)).filter(
      (candidate) => candidate.Properties.AlarmName === 'ServerlessChat-http-4xx-rate',
    );
    const metrics = alarm?.Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] }; Stat: string };
    }[];
    const byId = Object.fromEntries(metrics.map((metric) => [metric.Id, metric]));

    expect(byId.requests?.MetricStat).toMatchObject({
      Metric: { MetricName: 'Count', Dimensions: [{ Name: 'ApiId', Value: { Ref: httpApiId } }] },
      Stat: 'Sum',
    });
    expect(byId.errors?.MetricStat).toMatchObject({ Metric: { MetricName: '4xx' }, Stat: 'Sum' });
    expect(metrics.find((metric) => metric.Expression)?.Expression).toBe(
      `IF(requests >= ${HTTP_CLIENT_ERROR_MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`,
    );
    expect(alarm?.Properties.Threshold).toBe(HTTP_CLIENT_ERROR_PERCENT);
    expect(HTTP_CLIENT_ERROR_PERCENT).toBeGreaterThan(0);
    expect(HTTP_CLIENT_ERROR_PERCENT).toBeLessThan(100);
  });

  it('watch the requests refused by a per-user rate', () => {
    const alarm = alarmOn(METRICS_NAMESPACE, 'RateLimited', [{ Name: 'service', Value: SERVICE_NAME }]);

    expect(alarm.Properties).toMatchObject({ Statistic: 'Sum', Threshold: RATE_LIMITED_ALARM_THRESHOLD });
  });

  it('watch the WebSocket requests the gateway refused, its throttle included', () => {
    const alarm = alarmOn('AWS/ApiGateway', 'ClientError', [
      { Name: 'ApiId', Value: { Ref: webSocketApiId } },
      { Name: 'Stage', Value: 'prod' },
    ]);

    expect(alarm.Properties).toMatchObject({ Statistic: 'Sum', Threshold: WEBSOCKET_CLIENT_ERROR_THRESHOLD });
  });

  it('are all there is: one errors and one throttles alarm per function, four on the APIs and the table, two on logins, three on refusals, three on the notifier, three on the fan-out worker', () => {
    expect(Object.keys(alarmsOf(quiet))).toHaveLength(functionNames.length * 2 + 15);
  });

  it('treat missing data (no traffic) as fine and are named after the stack', () => {
    for (const alarm of Object.values(alarmsOf(quiet))) {
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
      expect(alarm.Properties.AlarmName).toMatch(/^ServerlessChat-/);
      expect(alarm.Properties.AlarmDescription).toEqual(expect.any(String));
    }
  });

  it('notify nobody and make no topic without an alarm e-mail', () => {
    quiet.template.resourceCountIs('AWS::SNS::Topic', 0);
    quiet.template.resourceCountIs('AWS::SNS::Subscription', 0);
    for (const alarm of Object.values(alarmsOf(quiet))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
      expect(alarm.Properties.OKActions).toBeUndefined();
    }
  });
});

describe('with an alarm e-mail', () => {
  const topicId = () => {
    const topic = notifying.stack.observability.alarmTopic;
    if (!topic) throw new Error('no alarm topic');
    return logicalIdOf(notifying, topic);
  };

  it('subscribes the address to one alarm topic', () => {
    notifying.template.resourceCountIs('AWS::SNS::Topic', 1);
    notifying.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topicId() },
    });
  });

  it('sends every alarm and its recovery to the topic', () => {
    const alarms = Object.values(alarmsOf(notifying));

    expect(alarms).toHaveLength(functionNames.length * 2 + 15);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId() }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId() }]);
    }
  });

  it('lets only TLS publishers and the alarms of this stack publish to the topic', () => {
    notifying.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ]),
      },
    });
  });
});

describe('the dashboard', () => {
  const body = dashboardBodyOf(quiet);
  const metricsOnDashboard = body.widgets.flatMap((widget) => widget.properties.metrics ?? []);
  const shows = (namespace: string, metricName: string, ...dimensions: string[]) =>
    metricsOnDashboard.some((metric) =>
      [namespace, metricName, ...dimensions].every((value, position) => metric[position] === value),
    );

  it('shows the state of every alarm', () => {
    const alarmWidget = body.widgets.find((widget) => widget.type === 'alarm');
    const alarmIds = Object.keys(alarmsOf(quiet));

    expect(alarmWidget?.properties.alarms?.sort()).toEqual(alarmIds.map((id) => `<${id}.Arn>`).sort());
  });

  it.each(CHAT_METRIC_NAMES)('shows the %s metric the functions emit', (metricName) => {
    expect(shows(METRICS_NAMESPACE, metricName, 'service', SERVICE_NAME)).toBe(true);
  });

  it('reads the custom metrics where the functions write them', () => {
    const environment = resourcesOf(quiet)[functionIdOf('message')].Properties.Environment as {
      Variables: EnvironmentSettings;
    };

    expect(environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe(METRICS_NAMESPACE);
    expect(environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(SERVICE_NAME);
  });

  it.each(functionNames)('shows the errors and throttles of the %s function', (name) => {
    const ref = `<Ref:${functionIdOf(name)}>`;

    expect(shows('AWS/Lambda', 'Errors', 'FunctionName', ref)).toBe(true);
    expect(shows('AWS/Lambda', 'Throttles', 'FunctionName', ref)).toBe(true);
  });

  it('shows the API errors and DynamoDB throttling', () => {
    expect(shows('AWS/ApiGateway', '5xx', 'ApiId', `<Ref:${httpApiId}>`)).toBe(true);
    expect(shows('AWS/ApiGateway', 'IntegrationError', 'ApiId', `<Ref:${webSocketApiId}>`)).toBe(true);
    expect(shows('AWS/ApiGateway', 'ExecutionError', 'ApiId', `<Ref:${webSocketApiId}>`)).toBe(true);
    expect(JSON.stringify(metricsOnDashboard)).toContain('ReadThrottleEvents');
    expect(JSON.stringify(metricsOnDashboard)).toContain('WriteThrottleEvents');
  });
});
