import { ArnFormat, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  type FunctionName,
  functionNames,
  functions,
  type RouteThrottle,
  webSocketRoutes,
} from '../routes.ts';
import type { ChatFunction } from './chat-function.ts';
import * as gateway from './gateway-parts.ts';

/**
 * The default throttle of the stage: connection attempts and client frames together, all clients together, sized
 * for about 5,000 users active at once at 0.1 frame a second each (docs/deployment.md, "Throttling"). Each room
 * message fans out to every member's connection through the management API, which shares the account's 10,000
 * requests a second: 500 frames a second into rooms of 10 use half of it. A ceiling for cost; the abuse control
 * is per user (lambdas/domain/limits.ts). Context values change it.
 */
export const WEBSOCKET_STAGE_THROTTLE: RouteThrottle = { rateLimit: 500, burstLimit: 1000 };

/**
 * One JSON object per connection event or frame. The token travels in the `$connect` query string, so nothing
 * here records the query string, a header or the frame body; the connection id links a line to the function logs.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html
 */
export const WEBSOCKET_ACCESS_LOG_FORMAT: Readonly<Record<string, string>> = {
  ...gateway.COMMON_ACCESS_LOG_FIELDS,
  eventType: '$context.eventType',
  connectionId: '$context.connectionId',
  error: '$context.error.message',
};

/** Options of the chat's WebSocket API. */
export interface ChatWebSocketApiProps extends gateway.ChatGatewayProps {
  /**
   * All functions by route-table name: those a WebSocket route names are integrated, and every function that
   * posts to connections (HTTP ones included) gets the management API and `WEBSOCKET_CALLBACK_URL`.
   */
  readonly functions: Readonly<Record<FunctionName, ChatFunction>>;
  /** The stage name: the last segment of the `wss://` URL and of the callback URL. */
  readonly stageName: string;
  /**
   * The stage's throttle.
   *
   * @default WEBSOCKET_STAGE_THROTTLE
   */
  readonly throttle?: RouteThrottle;
}

/**
 * The WebSocket API: frames are routed on their `action` field, one route per entry of `webSocketRoutes`
 * (`$connect`, `$disconnect` and `$default` included), and one auto-deployed stage with a throttle and JSON
 * access logs. Access logging needs the account's API Gateway CloudWatch Logs role (a one-time, per-region
 * account setting that this stack deliberately does not own: see docs/deployment.md).
 */
export class ChatWebSocketApi extends Construct {
  readonly accessLogs: logs.LogGroup;
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  private readonly postToConnections: iam.PolicyStatement;

  constructor(scope: Construct, id: string, props: ChatWebSocketApiProps) {
    super(scope, id);
    this.accessLogs = gateway.accessLogGroup(this, props);

    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-websocket`,
      description: props.description,
      routeSelectionExpression: '$request.body.action',
    });

    // addRoute accepts the special keys too, so every route, $connect included, comes from the same loop.
    const integrationOf = gateway.integrationPerFunction(
      (name) => new WebSocketLambdaIntegration(`${name}Integration`, props.functions[name]),
    );
    for (const route of webSocketRoutes) {
      this.api.addRoute(route.routeKey, { integration: integrationOf(route.function) });
    }

    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: props.throttle ?? WEBSOCKET_STAGE_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(WEBSOCKET_ACCESS_LOG_FORMAT)),
      },
    });

    // The functions send frames (POST; a gone connection answers 410 and is pruned from the table) and close
    // the sockets of ended sessions (DELETE). `stage.grantManagementApiAccess` would allow every method, GET
    // (describe) included, to all of them, so each grant is written out: one method, on this stage's
    // connections only, to the functions that use it.
    const connectionsGrant = (method: 'POST' | 'DELETE') =>
      new iam.PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        resources: [
          Stack.of(this).formatArn({
            service: 'execute-api',
            resource: this.api.apiId,
            resourceName: `${this.stage.stageName}/${method}/@connections/*`,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      });
    const postToConnections = connectionsGrant('POST');
    this.postToConnections = postToConnections;
    const closeConnections = connectionsGrant('DELETE');
    for (const name of functionNames) {
      const { postsToConnections, closesConnections } = functions[name];
      if (!postsToConnections && !closesConnections) continue;
      const fn = props.functions[name];
      if (postsToConnections) fn.addToRolePolicy(postToConnections);
      if (closesConnections) fn.addToRolePolicy(closeConnections);
      fn.setEnvironment('WEBSOCKET_CALLBACK_URL', this.stage.callbackUrl);
    }
  }

  /**
   * Lets a function outside the route table post to this stage's connections (the fan-out worker): the same
   * grant and `WEBSOCKET_CALLBACK_URL` as the route table's functions that post.
   */
  allowPosting(fn: ChatFunction): void {
    fn.addToRolePolicy(this.postToConnections);
    fn.setEnvironment('WEBSOCKET_CALLBACK_URL', this.stage.callbackUrl);
  }

  /** The URL clients connect to: `wss://{id}.execute-api.{region}.amazonaws.com/{stage}`. */
  get url(): string {
    return this.stage.url;
  }
}
