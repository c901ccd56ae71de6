/**
 * What the gateways do before a function runs: stage throttling (stricter on the routes the route table marks)
 * and access logs that never record a token. Also the account-wide IAM rules: no wildcard action, no managed
 * policy anywhere in the template.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { environmentVariables } from '../../lambdas/shared/environment.ts';
import { HTTP_ACCESS_LOG_FORMAT, HTTP_STAGE_THROTTLE } from '../../lib/constructs/http-api.ts';
import { WEBSOCKET_ACCESS_LOG_FORMAT, WEBSOCKET_STAGE_THROTTLE } from '../../lib/constructs/websocket-api.ts';
import { AUTH_THROTTLE, httpRouteKey, httpRoutes } from '../../lib/routes.ts';
import { synthChatStack } from './synth.ts';

// Prepare + Act, once for the file.
const { stack, template } = synthChatStack();
const resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }> =
  template.toJSON().Resources;

function logicalIdOf(construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

const httpApiId = logicalIdOf(stack.httpApi.api);
const webSocketApiId = logicalIdOf(stack.webSocketApi.api);

function stageOf(apiId: string) {
  const stages = Object.entries(resources).filter(
    ([, resource]) =>
      resource.Type === 'AWS::ApiGatewayV2::Stage' &&
      JSON.stringify(resource.Properties.ApiId) === JSON.stringify({ Ref: apiId }),
  );
  expect(stages).toHaveLength(1);
  const [logicalId, resource] = stages[0];
  return { logicalId, ...resource };
}

const httpStage = stageOf(httpApiId);
const webSocketStage = stageOf(webSocketApiId);

/** Context variables that could carry a token, a password, a message or personal data. */
const FORBIDDEN_LOG_VARIABLES =
  /querystring|header|request\.|requestOverride|responseOverride|body|userAgent|authorization|authorizer|\$input|\$request|\$method/i;

describe('the HTTP stage', () => {
  it('is the auto-deployed $default stage', () => {
    expect(httpStage.Properties.StageName).toBe('$default');
    expect(httpStage.Properties.AutoDeploy).toBe(true);
  });

  it('throttles every route by default', () => {
    expect(httpStage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: HTTP_STAGE_THROTTLE.rateLimit,
      ThrottlingBurstLimit: HTTP_STAGE_THROTTLE.burstLimit,
    });
  });

  it('throttles exactly the routes the route table marks, with their own limits', () => {
    const expected = Object.fromEntries(
      httpRoutes
        .filter((route) => route.throttle)
        .map((route) => [
          httpRouteKey(route),
          {
            ThrottlingRateLimit: route.throttle?.rateLimit,
            ThrottlingBurstLimit: route.throttle?.burstLimit,
          },
        ]),
    );

    expect(httpStage.Properties.RouteSettings).toEqual(expected);
  });

  it.each(['POST /auth/login', 'POST /auth/register'])(
    'throttles %s at a ceiling no single guesser comes near, and no higher than the stage',
    (routeKey) => {
      const route = httpRoutes.find((candidate) => httpRouteKey(candidate) === routeKey);
      const { LOGIN_ADDRESS_FAILURES, LOGIN_FAILURE_WINDOW_SECONDS } = environmentVariables;
      const oneAddressPerSecond = LOGIN_ADDRESS_FAILURES.default / LOGIN_FAILURE_WINDOW_SECONDS.default;

      expect(route?.throttle).toEqual(AUTH_THROTTLE);
      expect(AUTH_THROTTLE.rateLimit).toBeLessThanOrEqual(HTTP_STAGE_THROTTLE.rateLimit);
      expect(AUTH_THROTTLE.burstLimit).toBeLessThanOrEqual(HTTP_STAGE_THROTTLE.burstLimit);
      // One address failing as fast as its lockout allows fills under a thousandth of the shared ceiling...
      expect(oneAddressPerSecond).toBeLessThan(AUTH_THROTTLE.rateLimit / 1000);
      // ...and the ceiling's bcrypt work (~0.6 s a call at 512 MB) stays within a tenth of the default
      // account concurrency of 1,000.
      expect(AUTH_THROTTLE.rateLimit * 0.6).toBeLessThanOrEqual(100);
    },
  );

  it('is created after the routes its settings name (CloudFormation rejects settings for unknown routes)', () => {
    const routeIds = Object.entries(resources)
      .filter(
        ([, resource]) =>
          resource.Type === 'AWS::ApiGatewayV2::Route' &&
          Object.keys((httpStage.Properties.RouteSettings as object) ?? {}).includes(
            resource.Properties.RouteKey as string,
          ),
      )
      .map(([logicalId]) => logicalId);

    expect(routeIds).toHaveLength(Object.keys(httpStage.Properties.RouteSettings as object).length);
    for (const routeId of routeIds) expect(httpStage.DependsOn).toContain(routeId);
  });
});

describe('the WebSocket stage', () => {
  it('throttles connection attempts and frames', () => {
    expect(webSocketStage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: WEBSOCKET_STAGE_THROTTLE.rateLimit,
      ThrottlingBurstLimit: WEBSOCKET_STAGE_THROTTLE.burstLimit,
    });
  });
});

describe.each([
  ['HTTP', () => httpStage, HTTP_ACCESS_LOG_FORMAT, ['httpMethod', 'routeKey', 'status', 'responseLength']],
  [
    'WebSocket',
    () => webSocketStage,
    WEBSOCKET_ACCESS_LOG_FORMAT,
    ['eventType', 'routeKey', 'status', 'connectionId'],
  ],
] as const)('the %s access log', (_name, stageResource, format, specificFields) => {
  const settings = () =>
    stageResource().Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };

  it('goes to a log group of its own, with a retention', () => {
    const { DestinationArn } = settings();
    const logGroupId = (DestinationArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const usedBy = Object.values(resources).filter((resource) =>
      JSON.stringify(resource.Properties ?? {}).includes(`"${logGroupId}"`),
    );

    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
    // Only the stage writes there (its dashboard or a function never points at it).
    expect(usedBy).toHaveLength(1);
  });

  it('writes one JSON object per request, with the request id, caller, time, route, status and latency', () => {
    const fields = JSON.parse(settings().Format);

    expect(fields).toEqual(format);
    expect(Object.keys(fields)).toEqual(
      expect.arrayContaining(['requestId', 'ip', 'requestTime', 'integrationLatency', ...specificFields]),
    );
    for (const value of Object.values(fields)) expect(value).toMatch(/^\$context\.[A-Za-z.]+$/);
  });

  it('records no query string (tokens on $connect), header, body or authorizer data', () => {
    for (const value of Object.values(JSON.parse(settings().Format))) {
      expect(value).not.toMatch(FORBIDDEN_LOG_VARIABLES);
    }
  });
});

describe('IAM in the whole template', () => {
  const statements = Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .flatMap(
      (resource) =>
        (resource.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
    );
  const actions = statements.flatMap((statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );

  it('has statements to check', () => {
    expect(actions.length).toBeGreaterThan(10);
  });

  it('grants no wildcard action', () => {
    for (const action of actions) expect(action).not.toContain('*');
  });

  it('attaches no managed policy to any role', () => {
    const roles = Object.values(resources).filter((resource) => resource.Type === 'AWS::IAM::Role');

    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});
