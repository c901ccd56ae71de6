import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { FanOutSettings, LimitSettings, LoginLockoutSettings } from '../lambdas/shared/environment.ts';
import { type BudgetSettings, ChatBudget } from './constructs/budget.ts';
import { ChatFunctions } from './constructs/chat-function.ts';
import { ChatTable } from './constructs/chat-table.ts';
import { ChatFanOutWorker } from './constructs/fanout-worker.ts';
import { ChatHttpApi } from './constructs/http-api.ts';
import { JwtSigningKey } from './constructs/jwt-secret.ts';
import { ChatNotifier, type PushPlatformArns } from './constructs/notifier.ts';
import { ChatObservability } from './constructs/observability.ts';
import { ChatWebClient } from './constructs/web-client.ts';
import { ChatWebSocketApi } from './constructs/websocket-api.ts';
import {
  acknowledgeNagFindings,
  type NagAcknowledgement,
  nagAcknowledgements,
} from './nag-acknowledgements.ts';
import { fanOutWorkerSpec, type RouteThrottle } from './routes.ts';

/** Options of the chat stack. */
export interface ChatStackProps extends StackProps {
  /** The WebSocket API's stage name (the last segment of `WebSocketUrl`), also named in descriptions. */
  readonly stageName: string;
  /**
   * Keep the table and its data when the stack is deleted. Turn off only for throw-away stacks.
   *
   * @default true
   */
  readonly retainData?: boolean;
  /**
   * Where alarm notifications are e-mailed (through an SNS topic made only when this is given).
   *
   * @default no notifications: alarms only change state
   */
  readonly alarmEmail?: string;
  /**
   * The failed-login thresholds and window of the login lockout.
   *
   * @default 10 failures per username, 50 per source address, within 15 minutes
   */
  readonly loginLockout?: LoginLockoutSettings;
  /**
   * The per-user rates (messages, joins, room creations, conversation opens) and quotas (connections per user,
   * rooms per connection).
   *
   * @default the contract's defaults (docs/PROTOCOL.md, "Limits and quotas")
   */
  readonly limits?: LimitSettings;
  /**
   * Sharded fan-out: the recipients above which a room message is handed to fan-out workers, the connections
   * per shard, and the posts per second one message's shards may make together.
   *
   * @default above 500 recipients, shards of 200, 8,000 posts a second
   */
  readonly fanOut?: FanOutSettings;
  /**
   * The gateways' throttles (all clients together): the HTTP stage, the WebSocket stage, and the routes the
   * route table throttles more strictly (sign-up, login).
   *
   * @default HTTP_STAGE_THROTTLE, WEBSOCKET_STAGE_THROTTLE and AUTH_THROTTLE
   */
  readonly throttles?: {
    readonly http?: RouteThrottle;
    readonly webSocket?: RouteThrottle;
    readonly auth?: RouteThrottle;
  };
  /**
   * The browser origins whose pages may call the HTTP API (CORS); the web client's is added to them.
   *
   * @default none
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * The web chat client on S3 behind CloudFront (context `webClient=true`): the directory of its built files.
   *
   * @default none
   */
  readonly webClient?: { readonly assetsDirectory: string };
  /**
   * An AWS Budgets cost budget for the account, with its notifications.
   *
   * @default no budget (the `Budget` output says so)
   */
  readonly budget?: BudgetSettings;
  /**
   * The SNS platform applications of APNs and FCM that pushes go through.
   *
   * @default none: devices register, but no push is sent (the synth warns)
   */
  readonly pushPlatformArns?: PushPlatformArns;
  /**
   * The cdk-nag findings acknowledged on this stack. Only tests pass fewer, to prove that the check fails then.
   *
   * @default all of `nagAcknowledgements`
   */
  readonly nagAcknowledgements?: readonly NagAcknowledgement[];
}

/**
 * The whole chat backend: one table, one signing key, the functions of the route table, the HTTP and WebSocket
 * APIs in front of them, and their alarms and dashboard. The wiring comes from `lib/routes.ts` and the cdk-nag
 * acknowledgements from `lib/nag-acknowledgements.ts`; this class only composes.
 */
export class ChatStack extends Stack {
  readonly table: ChatTable;
  readonly signingKey: JwtSigningKey;
  readonly functions: ChatFunctions;
  readonly httpApi: ChatHttpApi;
  readonly webSocketApi: ChatWebSocketApi;
  readonly observability: ChatObservability;
  /** Only when a budget is given. */
  readonly budget?: ChatBudget;
  /** Pushes for new messages, from the table's stream. */
  readonly notifier: ChatNotifier;
  /** Only when the web client is asked for. */
  readonly webClient?: ChatWebClient;
  /** Posts the shards of messages to large rooms. */
  readonly fanOutWorker: ChatFanOutWorker;

  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id, {
      description: `Serverless chat backend (stage ${props.stageName})`,
      ...props,
    });

    this.table = new ChatTable(this, 'Table', { retain: props.retainData ?? true });
    this.signingKey = new JwtSigningKey(this, 'JwtSigningKey');
    this.functions = new ChatFunctions(this, 'Functions', {
      table: this.table,
      signingKey: this.signingKey,
      loginLockout: props.loginLockout,
      limits: props.limits,
    });
    this.httpApi = new ChatHttpApi(this, 'HttpApi', {
      functions: this.functions.byName,
      description: `Chat HTTP API (stage ${props.stageName})`,
      throttle: props.throttles?.http,
      strictThrottle: props.throttles?.auth,
      allowedOrigins: props.allowedOrigins,
    });
    this.webSocketApi = new ChatWebSocketApi(this, 'WebSocketApi', {
      functions: this.functions.byName,
      stageName: props.stageName,
      description: `Chat WebSocket API (stage ${props.stageName})`,
      throttle: props.throttles?.webSocket,
    });
    this.fanOutWorker = new ChatFanOutWorker(this, 'FanOutWorker', {
      table: this.table,
      senders: fanOutWorkerSpec.invokedBy.map((name) => this.functions.byName[name]),
      settings: props.fanOut,
    });
    this.webSocketApi.allowPosting(this.fanOutWorker.function);
    this.notifier = new ChatNotifier(this, 'Notifier', {
      table: this.table,
      platformArns: props.pushPlatformArns ?? {},
    });
    this.observability = new ChatObservability(this, 'Observability', {
      functions: this.functions.byName,
      notifier: this.notifier,
      fanOutWorker: this.fanOutWorker,
      httpApi: this.httpApi.api,
      webSocketApi: this.webSocketApi.api,
      webSocketStageName: this.webSocketApi.stage.stageName,
      table: this.table,
      alarmEmail: props.alarmEmail,
    });
    if (props.webClient) {
      this.webClient = new ChatWebClient(this, 'WebClient', {
        assetsDirectory: props.webClient.assetsDirectory,
        httpApi: this.httpApi,
        webSocketUrl: this.webSocketApi.url,
        retainLogs: props.retainData ?? true,
      });
    }
    acknowledgeNagFindings(this, props.nagAcknowledgements ?? nagAcknowledgements);

    new CfnOutput(this, 'HttpApiUrl', {
      description: 'Base URL of the HTTP API (no trailing slash)',
      value: this.httpApi.url,
    });
    new CfnOutput(this, 'WebSocketUrl', {
      description:
        'URL WebSocket clients connect to (add ?ticket= from POST /auth/ws-ticket, or ?token=<access token> for tools such as wscat)',
      value: this.webSocketApi.url,
    });
    new CfnOutput(this, 'TableName', { description: 'The DynamoDB table', value: this.table.tableName });
    if (props.budget) this.budget = new ChatBudget(this, 'CostBudget', props.budget);
    new CfnOutput(this, 'Budget', {
      description: 'The AWS Budgets cost budget of the account made by this stack',
      value: props.budget
        ? `USD ${props.budget.monthlyUsd} a month: told at 80% spent and when forecast over`
        : 'none: deploy with -c budgetMonthlyUsd=<USD> and -c budgetEmail=<address> (or budgetTopicArn) for one',
    });
  }
}
