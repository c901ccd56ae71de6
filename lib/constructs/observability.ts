import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionName, functionNames } from '../routes.ts';
import { refusalAlarms } from './limit-alarms.ts';
import {
  CHAT_METRIC_NAMES,
  chatMetric,
  dynamoDbThrottleSum,
  graph,
  over5Minutes,
  PERIOD,
} from './observability-metrics.ts';

export { CHAT_METRIC_NAMES };

/**
 * How many WebSocket integration errors in five minutes raise the alarm. A refused handshake (401: a missing,
 * expired or forged token) is an integration error too, so one stale client must not page anyone; a burst of
 * them, or of 5xx from `$connect`, should.
 */
export const WEBSOCKET_INTEGRATION_ERROR_THRESHOLD = 10;

/**
 * How many logins refused with 429 `TOO_MANY_ATTEMPTS` in five minutes raise the alarm. One user who forgot a
 * password and keeps trying meets a handful; someone still hammering a locked username or address, or a spread
 * guessing campaign, meets this many.
 */
export const LOGIN_LOCKOUT_ALARM_THRESHOLD = 100;

/**
 * How many failed logins (401) in five minutes raise the alarm: about twenty times what users mistyping
 * passwords produce at the traffic the stage's throttle is sized for; raise it with the traffic. A credential
 * stuffing run from many addresses trips this one before the lockouts do.
 */
export const LOGIN_FAILURE_ALARM_THRESHOLD = 200;

/** Options of the chat's alarms and dashboard. */
export interface ChatObservabilityProps {
  /** The functions by route-table name: each gets an errors alarm and a throttles alarm. */
  readonly functions: Readonly<Record<FunctionName, lambda.IFunction>>;
  readonly httpApi: apigwv2.HttpApi;
  readonly webSocketApi: apigwv2.IWebSocketApi;
  /** The WebSocket stage whose metrics are watched. */
  readonly webSocketStageName: string;
  readonly table: dynamodb.ITable;
  /** The notifier (lib/constructs/notifier.ts): its failures and its dead-letter queue are watched. */
  readonly notifier: { readonly function: lambda.IFunction; readonly deadLetterQueue: sqs.IQueue };
  /** The fan-out worker (lib/constructs/fanout-worker.ts): its failures and its on-failure queue are watched. */
  readonly fanOutWorker: { readonly function: lambda.IFunction; readonly deadLetterQueue: sqs.IQueue };
  /**
   * Where alarm notifications go: an SNS topic with this e-mail subscribed (the address must confirm the
   * subscription). Without it the alarms only change state in the console.
   *
   * @default no topic, no notification
   */
  readonly alarmEmail?: string;
}

/**
 * Alarms on everything that means users are failing (function errors and throttles, HTTP 5xx, WebSocket
 * integration and execution errors, DynamoDB throttling) or are being refused (HTTP 4xx rate, per-user rates,
 * the WebSocket gateway's refusals), optionally sent to an e-mail address, and one dashboard
 * with the same signals next to the message volume.
 */
export class ChatObservability extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  /** Only when an alarm e-mail is given. */
  readonly alarmTopic?: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ChatObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const alarmNamePrefix = stack.stackName;

    // Function errors: an invocation that threw or timed out. The wrappers turn every expected failure into a
    // response, so any error here is a bug or a timeout.
    for (const name of functionNames) {
      const fn = props.functions[name];
      this.addAlarm(`${name}-errors`, fn.metricErrors(over5Minutes('Sum')), 1, {
        description: `The ${name} function failed (threw or timed out) at least once in 5 minutes.`,
      });
      this.addAlarm(`${name}-throttles`, fn.metricThrottles(over5Minutes('Sum')), 1, {
        description: `Lambda refused to run the ${name} function (concurrency limit) at least once in 5 minutes.`,
      });
    }

    // HTTP 5xx: 500 INTERNAL (a bug) and 503 UNAVAILABLE (DynamoDB unreachable or throttling after retries).
    this.addAlarm('http-5xx', props.httpApi.metricServerError(over5Minutes('Sum')), 1, {
      description: 'The HTTP API answered 5xx at least once in 5 minutes.',
    });

    const webSocketMetric = (metricName: string, statistic = 'Sum') =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.webSocketApi.apiId, Stage: props.webSocketStageName },
        statistic,
        period: PERIOD,
      });
    this.addAlarm(
      'websocket-integration-errors',
      webSocketMetric('IntegrationError'),
      WEBSOCKET_INTEGRATION_ERROR_THRESHOLD,
      {
        description: `The WebSocket functions answered 4xx/5xx at least ${WEBSOCKET_INTEGRATION_ERROR_THRESHOLD} times in 5 minutes (refused handshakes included).`,
      },
    );
    this.addAlarm('websocket-execution-errors', webSocketMetric('ExecutionError'), 1, {
      description: 'API Gateway could not invoke a WebSocket function at least once in 5 minutes.',
    });
    // Refusals: 4xx over HTTP (throttles included), per-user rates, the WebSocket gateway's own refusals.
    for (const alarm of refusalAlarms(props.httpApi, webSocketMetric)) {
      this.addAlarm(alarm.id, alarm.metric, alarm.threshold, { description: alarm.description });
    }

    // DynamoDB throttling, on the table and on each index, reads and writes.
    const dynamoDbThrottles = dynamoDbThrottleSum(props.table);
    this.addAlarm('dynamodb-throttles', dynamoDbThrottles, 1, {
      description:
        'DynamoDB throttled reads or writes on the table or an index at least once in 5 minutes (the functions retry; users may see 503).',
    });

    // Password guessing: the login function's own counts (embedded metric format).
    this.addAlarm('login-lockouts', chatMetric('LoginLockouts', 'Sum'), LOGIN_LOCKOUT_ALARM_THRESHOLD, {
      description: `Logins were refused with 429 TOO_MANY_ATTEMPTS at least ${LOGIN_LOCKOUT_ALARM_THRESHOLD} times in 5 minutes (password guessing against locked usernames or addresses).`,
    });
    this.addAlarm('login-failures', chatMetric('LoginFailures', 'Sum'), LOGIN_FAILURE_ALARM_THRESHOLD, {
      description: `Logins failed (wrong password or unknown username) at least ${LOGIN_FAILURE_ALARM_THRESHOLD} times in 5 minutes (credential stuffing?).`,
    });

    // Pushes: the notifier reports failed records rather than failing (so Errors counts only crashes and
    // timeouts), and records given up on after their retries land in the dead-letter queue.
    this.addAlarm('notifier-errors', props.notifier.function.metricErrors(over5Minutes('Sum')), 1, {
      description: 'The notifier function failed (threw or timed out) at least once in 5 minutes.',
    });
    this.addAlarm('notifier-failures', chatMetric('PushFailures', 'Sum'), 1, {
      description:
        'The notifier could not send the pushes of a message at least once in 5 minutes (it retries).',
    });
    this.addAlarm(
      'notifier-dead-letters',
      props.notifier.deadLetterQueue.metricApproximateNumberOfMessagesVisible(over5Minutes('Maximum')),
      1,
      { description: 'Stream records the notifier gave up on wait in its dead-letter queue.' },
    );

    // Sharded fan-out: a failed shard is retried by Lambda (Errors), and lands in the queue once given up on.
    this.addAlarm('fanout-errors', props.fanOutWorker.function.metricErrors(over5Minutes('Sum')), 1, {
      description:
        'The fan-out worker failed (posts failed, threw or timed out) at least once in 5 minutes (Lambda retries).',
    });
    this.addAlarm('fanout-throttles', props.fanOutWorker.function.metricThrottles(over5Minutes('Sum')), 1, {
      description: 'Invocations of the fan-out worker were throttled at least once in 5 minutes.',
    });
    this.addAlarm(
      'fanout-dead-letters',
      props.fanOutWorker.deadLetterQueue.metricApproximateNumberOfMessagesVisible(over5Minutes('Maximum')),
      1,
      { description: 'Shards of room messages the fan-out worker gave up on wait in its on-failure queue.' },
    );

    if (props.alarmEmail) {
      this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
        displayName: `${alarmNamePrefix} alarms`,
        // SNS3: publishers must use TLS.
        enforceSSL: true,
      });
      // A topic policy replaces the default one, which let the account's own services publish; let CloudWatch
      // publish again, for this account's alarms of this stack only.
      this.alarmTopic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowThisStacksAlarmsToPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [this.alarmTopic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: {
              'aws:SourceArn': stack.formatArn({
                service: 'cloudwatch',
                resource: 'alarm',
                resourceName: `${alarmNamePrefix}-*`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            },
          },
        }),
      );
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      const action = new actions.SnsAction(this.alarmTopic);
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      // Dashboards are global to the account, so the region keeps two deployments of this stack apart.
      dashboardName: `${alarmNamePrefix}-${stack.region}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
    );

    this.dashboard.addWidgets(
      graph('Message volume (per 5 minutes)', 12, [
        chatMetric('MessagesSent', 'Sum', 'Messages sent'),
        chatMetric('Deliveries', 'Sum', 'Live deliveries'),
        chatMetric('GoneConnections', 'Sum', 'Gone connections pruned'),
        chatMetric('PushesSent', 'Sum', 'Pushes sent'),
        chatMetric('PushFailures', 'Sum', 'Messages whose pushes failed'),
      ]),
      graph('Fan-out size (connections per message)', 12, [
        chatMetric('FanOutSize', 'Average', 'Average'),
        chatMetric('FanOutSize', 'Maximum', 'Maximum'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Sharded fan-out (per 5 minutes)', 24, [
        chatMetric('FanOutShards', 'Sum', 'Shards handed to workers'),
        chatMetric('FanOutShardsSkipped', 'Sum', 'Repeated shard events skipped'),
        chatMetric('FanOutShardFailures', 'Sum', 'Shard runs with failed posts (retried)'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Requests refused (per 5 minutes)', 24, [
        chatMetric('LoginFailures', 'Sum', 'Failed logins (401)'),
        chatMetric('LoginLockouts', 'Sum', 'Logins locked out (429)'),
        chatMetric('RateLimited', 'Sum', 'Over a per-user rate (429 / error frame)'),
      ]),
    );

    const { httpApi } = props;
    this.dashboard.addWidgets(
      graph('HTTP API requests', 8, [
        httpApi.metricCount(over5Minutes('Sum', 'Requests')),
        httpApi.metricClientError(over5Minutes('Sum', '4xx')),
        httpApi.metricServerError(over5Minutes('Sum', '5xx')),
      ]),
      graph('HTTP API latency (ms)', 8, [
        httpApi.metricLatency(over5Minutes('p50', 'p50')),
        httpApi.metricLatency(over5Minutes('p99', 'p99')),
        httpApi.metricIntegrationLatency(over5Minutes('p99', 'integration p99')),
      ]),
      graph(
        'WebSocket API',
        8,
        [
          webSocketMetric('ConnectCount').with({ label: 'Connects' }),
          webSocketMetric('MessageCount').with({ label: 'Messages' }),
        ],
        [
          webSocketMetric('ClientError').with({ label: 'Client errors' }),
          webSocketMetric('IntegrationError').with({ label: 'Integration errors' }),
          webSocketMetric('ExecutionError').with({ label: 'Execution errors' }),
        ],
      ),
    );

    const perFunction = (metric: (fn: lambda.IFunction, name: FunctionName) => cloudwatch.IMetric) =>
      functionNames.map((name) => metric(props.functions[name], name));
    this.dashboard.addWidgets(
      graph(
        'Function errors',
        8,
        perFunction((fn, name) => fn.metricErrors(over5Minutes('Sum', name))),
      ),
      graph(
        'Function throttles',
        8,
        perFunction((fn, name) => fn.metricThrottles(over5Minutes('Sum', name))),
      ),
      graph(
        'Function duration p99 (ms)',
        8,
        perFunction((fn, name) => fn.metricDuration(over5Minutes('p99', name))),
      ),
    );

    this.dashboard.addWidgets(
      graph('DynamoDB throttling', 12, [dynamoDbThrottles]),
      graph('DynamoDB consumed capacity (units per 5 minutes)', 12, [
        props.table.metricConsumedReadCapacityUnits(over5Minutes('Sum', 'Read units')),
        props.table.metricConsumedWriteCapacityUnits(over5Minutes('Sum', 'Write units')),
      ]),
    );
  }

  private addAlarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    options: { readonly description: string },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${Stack.of(this).stackName}-${id}`,
      alarmDescription: options.description,
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No data means no traffic, not a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms.push(alarm);
    return alarm;
  }
}
