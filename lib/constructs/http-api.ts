import { Duration, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { type FunctionName, httpRoutes } from '../routes.ts';

/** Options of the chat's HTTP API. */
export interface ChatHttpApiProps {
  /** The functions by route-table name; every function an HTTP route names must be here. */
  readonly functions: Readonly<Record<FunctionName, lambda.IFunction>>;
  /**
   * Shown in the API Gateway console.
   *
   * @default none
   */
  readonly description?: string;
}

/**
 * The HTTP API: one route per entry of `httpRoutes`, each integrated with its function (payload format 2.0).
 * Tokens are checked by the handlers, not by a gateway authorizer, so that the local emulation and AWS behave
 * the same and every 401 has the contract's error body.
 */
export class ChatHttpApi extends Construct {
  readonly api: apigwv2.HttpApi;

  constructor(scope: Construct, id: string, props: ChatHttpApiProps) {
    super(scope, id);

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-http`,
      description: props.description,
      // Browsers and web views call from other origins; clients send the token in a header, not a cookie, so any
      // origin may call and no credentials are allowed.
      corsPreflight: {
        allowOrigins: ['*'],
        allowHeaders: ['Authorization', 'Content-Type'],
        allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
        maxAge: Duration.hours(1),
      },
    });

    // One integration per function, shared by its routes: API Gateway passes the route key in the event.
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of httpRoutes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${route.function}Integration`,
          props.functions[route.function],
        );
        integrations.set(route.function, integration);
      }
      this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
      });
    }
  }

  /** The base URL of the API's default stage, without a trailing slash: `https://{id}.execute-api.{region}.amazonaws.com`. */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
