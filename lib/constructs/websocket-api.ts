import { Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { type FunctionName, functionNames, functions, webSocketRoutes } from '../routes.ts';

/** Options of the chat's WebSocket API. */
export interface ChatWebSocketApiProps {
  /**
   * All functions by route-table name: those a WebSocket route names are integrated, and every function that
   * posts to connections (HTTP ones included) gets the management API and `WEBSOCKET_CALLBACK_URL`.
   */
  readonly functions: Readonly<Record<FunctionName, lambda.Function>>;
  /** The stage name: the last segment of the `wss://` URL and of the callback URL. */
  readonly stageName: string;
  /**
   * Shown in the API Gateway console.
   *
   * @default none
   */
  readonly description?: string;
}

/**
 * The WebSocket API: frames are routed on their `action` field, one route per entry of `webSocketRoutes`
 * (`$connect`, `$disconnect` and `$default` included), and one auto-deployed stage.
 */
export class ChatWebSocketApi extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;

  constructor(scope: Construct, id: string, props: ChatWebSocketApiProps) {
    super(scope, id);

    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-websocket`,
      description: props.description,
      routeSelectionExpression: '$request.body.action',
    });

    // addRoute accepts the special keys too, so every route, $connect included, comes from the same loop.
    const integrations = new Map<FunctionName, WebSocketLambdaIntegration>();
    for (const route of webSocketRoutes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new WebSocketLambdaIntegration(
          `${route.function}Integration`,
          props.functions[route.function],
        );
        integrations.set(route.function, integration);
      }
      this.api.addRoute(route.routeKey, { integration });
    }

    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
    });

    for (const name of functionNames) {
      if (!functions[name].postsToConnections) continue;
      const fn = props.functions[name];
      // Scoped to this stage's @connections resources: posting, describing and closing connections.
      this.stage.grantManagementApiAccess(fn);
      fn.addEnvironment('WEBSOCKET_CALLBACK_URL', this.stage.callbackUrl);
    }
  }

  /** The URL clients connect to: `wss://{id}.execute-api.{region}.amazonaws.com/{stage}`. */
  get url(): string {
    return this.stage.url;
  }
}
