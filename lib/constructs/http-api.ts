import { Duration, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { corsPolicy } from '../contract/cors.ts';
import {
  type FunctionName,
  httpFallbackRoute,
  httpRouteKey,
  httpRoutes,
  type RouteThrottle,
} from '../routes.ts';
import {
  accessLogGroup,
  type ChatGatewayProps,
  COMMON_ACCESS_LOG_FIELDS,
  integrationPerFunction,
} from './gateway-parts.ts';

/**
 * The default throttle of every HTTP route without its own (all clients together): sized for about 5,000 users
 * active at once, at 0.1 request a second each (docs/deployment.md, "Throttling"), and a twentieth of the
 * account's regional limit (10,000 requests a second shared by every API and by the posts to connections). A
 * ceiling for cost, not the abuse control: that is per user (lambdas/domain/limits.ts). Context values change it.
 */
export const HTTP_STAGE_THROTTLE: RouteThrottle = { rateLimit: 500, burstLimit: 1000 };

/**
 * One JSON object per request. Only what an operator needs to follow a request: no query string (it is not
 * logged by any of these variables), no header (so no `Authorization`), no body. `$context.path` is the path
 * alone; route parameters in it are room names and conversation ids, which are not secret.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
export const HTTP_ACCESS_LOG_FORMAT: Readonly<Record<string, string>> = {
  ...COMMON_ACCESS_LOG_FIELDS,
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
};

/**
 * The API's CORS configuration for these origins, in the shape both CloudFormation and the API Gateway
 * `UpdateApi` call take (the web client's construct adds its own origin after deploy with the latter).
 */
export function corsConfigurationFor(origins: readonly string[]) {
  return {
    AllowOrigins: [...origins],
    AllowHeaders: [...corsPolicy.allowHeaders],
    AllowMethods: [...corsPolicy.allowMethods],
    MaxAge: corsPolicy.maxAgeSeconds,
  };
}

/** Options of the chat's HTTP API. */
export interface ChatHttpApiProps extends ChatGatewayProps {
  /** The functions by route-table name; every function an HTTP route names must be here. */
  readonly functions: Readonly<Record<FunctionName, lambda.IFunction>>;
  /**
   * The stage's throttle, for every route without its own.
   *
   * @default HTTP_STAGE_THROTTLE
   */
  readonly throttle?: RouteThrottle;
  /**
   * The throttle of the routes the route table throttles more strictly (sign-up and login).
   *
   * @default each route's own, from lib/routes.ts
   */
  readonly strictThrottle?: RouteThrottle;
  /**
   * The browser origins whose pages may call the API (`https://app.example.com`).
   *
   * @default none: no CORS configuration, so browsers refuse every cross-origin call
   */
  readonly allowedOrigins?: readonly string[];
}

/**
 * The HTTP API: one route per entry of `httpRoutes`, each integrated with its function (payload format 2.0), and
 * the `$default` stage with a throttle (stricter on the routes that declare one) and JSON access logs.
 * Tokens are checked by the handlers, not by a gateway authorizer, so that the local emulation and AWS behave
 * the same and every 401 has the contract's error body.
 */
export class ChatHttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** The origins of the template's CORS configuration (the web client's is added at deploy, not here). */
  readonly allowedOrigins: readonly string[];

  constructor(scope: Construct, id: string, props: ChatHttpApiProps) {
    super(scope, id);
    this.allowedOrigins = props.allowedOrigins ?? [];

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-http`,
      description: props.description,
      // Only the configured origins' pages may call from a browser (native apps and servers send no Origin and
      // are not concerned). Clients send the token in a header, not a cookie, so no credentials are allowed.
      corsPreflight: this.allowedOrigins.length
        ? {
            allowOrigins: [...this.allowedOrigins],
            allowHeaders: [...corsPolicy.allowHeaders],
            allowMethods: corsPolicy.allowMethods.map((method) => apigwv2.CorsHttpMethod[method]),
            maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
          }
        : undefined,
      // The stage is made below, once the routes whose throttles it names exist.
      createDefaultStage: false,
    });

    // One integration per function, shared by its routes: API Gateway passes the route key in the event.
    const integrationOf = integrationPerFunction(
      (name) => new HttpLambdaIntegration(`${name}Integration`, props.functions[name]),
    );
    const routes = new Map<string, apigwv2.HttpRoute>();
    for (const route of httpRoutes) {
      const [added] = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integrationOf(route.function),
      });
      routes.set(httpRouteKey(route), added);
    }
    new apigwv2.HttpRoute(this.api, 'FallbackRoute', {
      httpApi: this.api,
      routeKey: apigwv2.HttpRouteKey.DEFAULT,
      integration: integrationOf(httpFallbackRoute.function),
    });

    this.accessLogs = accessLogGroup(this, props);

    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? HTTP_STAGE_THROTTLE,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(HTTP_ACCESS_LOG_FORMAT)),
      },
    });

    // Per-route throttles have no L2 property. CloudFormation rejects settings for a route that does not exist
    // yet, so the stage waits for the routes it names.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of httpRoutes) {
      if (!route.throttle) continue;
      const routeKey = httpRouteKey(route);
      const throttle = props.strictThrottle ?? route.throttle;
      routeSettings[routeKey] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      };
      const added = routes.get(routeKey);
      if (added) this.stage.node.addDependency(added);
    }
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = routeSettings;
  }

  /** The base URL of the API's default stage, without a trailing slash: `https://{id}.execute-api.{region}.amazonaws.com`. */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
