/**
 * The synthesized template against the route table: every route exists and reaches its function, and every
 * function has exactly the access its routes declare. Bundling and the template validator are skipped here
 * (see bundle.test.ts for the full synthesis).
 */
import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { tableSchema } from '../../lambdas/data/schema.ts';
import {
  type EnvironmentVariableName,
  fanOutEnvironment,
  limitsEnvironment,
} from '../../lambdas/shared/environment.ts';
import {
  type FunctionName,
  functionNames,
  functions,
  httpFallbackRoute,
  httpRouteKey,
  httpRoutes,
  invokesFanOut,
  type TableAccess,
  tableAccessOf,
  webSocketRoutes,
} from '../../lib/routes.ts';
import { synthChatStack } from './synth.ts';

interface Statement {
  Action: string | string[];
  Effect: string;
  Resource: unknown;
}

const DYNAMODB_READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
];
const DYNAMODB_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
];
const DYNAMODB_ACTIONS_BY_ACCESS: Record<TableAccess, string[]> = {
  none: [],
  read: DYNAMODB_READ_ACTIONS,
  write: DYNAMODB_WRITE_ACTIONS,
  readWrite: [...new Set([...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS])],
};
const DATA_CHANGING_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const DATA_READING_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem'];

// Prepare + Act, once for the file: synthesis is deterministic and the assertions only read the template.
const { stack, template } = synthChatStack();

function logicalIdOf(construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

const tableId = logicalIdOf(stack.table);
const secretId = logicalIdOf(stack.signingKey);
const httpApiId = logicalIdOf(stack.httpApi.api);
const webSocketApiId = logicalIdOf(stack.webSocketApi.api);

function functionIdOf(name: FunctionName): string {
  return logicalIdOf(stack.functions.byName[name]);
}

function functionProperties(name: FunctionName) {
  return template.toJSON().Resources[functionIdOf(name)].Properties;
}

/** The function's environment; only declared variable names may be looked up in it. */
function environmentOf(name: FunctionName): { readonly [Name in EnvironmentVariableName]?: unknown } {
  return functionProperties(name).Environment?.Variables ?? {};
}

/** Every statement of every policy attached to the function's role. */
function statementsOf(name: FunctionName): Statement[] {
  const role = stack.functions.byName[name].role;
  if (!role) throw new Error(`${name} has no role`);
  const roleId = logicalIdOf(role);
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  return policies
    .filter((policy) => policy.Properties.Roles.some((roleRef: { Ref?: string }) => roleRef.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The resources of `statements`, each as JSON (a statement names one or several). */
function resourcesOf(statements: Statement[]): string[] {
  return statements
    .flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]))
    .map((resource) => JSON.stringify(resource));
}

function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );
}

function actionsWithPrefix(name: FunctionName, prefix: string): string[] {
  return [...new Set(actionsOf(statementsOf(name)).filter((action) => action.startsWith(prefix)))].sort();
}

type Route = { Properties?: { Target?: unknown } };

/** The integration resource a route targets. */
function integrationOf(route: Route) {
  const integrationId = /"Ref":"([^"]+)"/.exec(JSON.stringify(route.Properties?.Target))?.[1];
  return integrationId === undefined ? undefined : template.toJSON().Resources[integrationId];
}

/** The logical id of the function a route's integration invokes. */
function integratedFunctionOf(route: Route): string | undefined {
  const uri = JSON.stringify(integrationOf(route)?.Properties.IntegrationUri);
  return /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(uri)?.[1];
}

/** The routes of an API, all of them or those of one route key. */
function routesOf(apiId: string, routeKey?: string): Route[] {
  return Object.values(
    template.findResources('AWS::ApiGatewayV2::Route', {
      Properties: { ApiId: { Ref: apiId }, ...(routeKey === undefined ? {} : { RouteKey: routeKey }) },
    }),
  );
}

/** The tests that an API routes each key of the route table to its function. */
function itRoutesEachKeyToItsFunction(apiId: string, table: readonly (readonly [string, FunctionName])[]) {
  it.each(table)('routes %s to the %s function', (routeKey, name) => {
    const routes = routesOf(apiId, routeKey);

    expect(routes).toHaveLength(1);
    expect(integratedFunctionOf(routes[0] as Route)).toBe(functionIdOf(name));
  });
}

describe('the HTTP API', () => {
  itRoutesEachKeyToItsFunction(
    httpApiId,
    httpRoutes.map((route) => [httpRouteKey(route), route.function] as const),
  );

  it('has no route that is not in the route table', () => {
    expect(routesOf(httpApiId)).toHaveLength(httpRoutes.length + 1);
  });

  it("sends every unmatched method and path ($default) to the fallback function, for the contract's 404", () => {
    const routes = routesOf(httpApiId, httpFallbackRoute.routeKey);

    expect(routes).toHaveLength(1);
    expect(integratedFunctionOf(routes[0] as Route)).toBe(
      logicalIdOf(stack.functions.byName[httpFallbackRoute.function]),
    );
  });

  it('sends payload format 2.0 events to Lambda proxy integrations, from every route', () => {
    const integrations = routesOf(httpApiId).map((route) => integrationOf(route)?.Properties);

    expect(integrations).toHaveLength(httpRoutes.length + 1);
    for (const integration of integrations) {
      expect(integration?.IntegrationType).toBe('AWS_PROXY');
      expect(integration?.PayloadFormatVersion).toBe('2.0');
    }
  });

  it('allows no browser origin when none is configured: no CORS configuration at all', () => {
    const [httpApi] = Object.values(
      template.findResources('AWS::ApiGatewayV2::Api', { Properties: { ProtocolType: 'HTTP' } }),
    );

    expect(httpApi?.Properties).toBeDefined();
    expect(httpApi?.Properties).not.toHaveProperty('CorsConfiguration');
  });

  it('answers CORS preflights from the configured origins only, for the Authorization and Content-Type headers', () => {
    const origins = ['https://chat.example.com', 'http://localhost:3002'];
    const { template: withOrigins } = synthChatStack({ props: { allowedOrigins: origins } });

    withOrigins.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: origins,
        AllowHeaders: Match.arrayWith(['authorization', 'content-type']),
        AllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
        MaxAge: 3600,
      },
    });
    expect(JSON.stringify(withOrigins.toJSON())).not.toContain('"AllowCredentials":true');
  });
});

describe('the WebSocket API', () => {
  it('selects routes on the action field of the frame', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
  });

  itRoutesEachKeyToItsFunction(
    webSocketApiId,
    webSocketRoutes.map((route) => [route.routeKey, route.function] as const),
  );

  it('has no route that is not in the route table', () => {
    expect(routesOf(webSocketApiId)).toHaveLength(webSocketRoutes.length);
  });

  it('deploys the stage named by the stack props automatically', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: webSocketApiId },
      StageName: 'prod',
      AutoDeploy: true,
    });
  });
});

describe.each(functionNames)('the %s function', (name) => {
  const spec = functions[name];
  const access = tableAccessOf(name);

  it('runs Node.js 24 on ARM64 with active tracing and a timeout below the gateway limit', () => {
    const properties = functionProperties(name);

    expect(properties.Runtime).toBe('nodejs24.x');
    expect(properties.Architectures).toEqual(['arm64']);
    expect(properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(properties.Handler).toBe('index.handler');
    expect(properties.Timeout).toBeLessThan(29);
  });

  it('logs to its own log group with a retention', () => {
    const logGroupRef = functionProperties(name).LoggingConfig?.LogGroup?.Ref;
    const logGroup = template.toJSON().Resources[logGroupRef];

    expect(logGroup?.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('may be invoked by API Gateway', () => {
    const apiId = spec.api === 'http' ? httpApiId : webSocketApiId;
    const permissions = Object.values(
      template.findResources('AWS::Lambda::Permission', {
        Properties: {
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          FunctionName: { 'Fn::GetAtt': [functionIdOf(name), 'Arn'] },
        },
      }),
    );

    expect(permissions.length).toBeGreaterThan(0);
    for (const permission of permissions) {
      expect(JSON.stringify(permission.Properties.SourceArn)).toContain(`{"Ref":"${apiId}"}`);
    }
  });

  it('has exactly the environment the handlers read, and no secret value or test setting', () => {
    const environment = environmentOf(name);
    const expected: EnvironmentVariableName[] = [
      'NODE_OPTIONS',
      'POWERTOOLS_LOG_LEVEL',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_SERVICE_NAME',
    ];
    if (access !== 'none') expected.push('TABLE_NAME');
    if (spec.usesSigningKey) expected.push('JWT_SECRET_ARN');
    if (spec.postsToConnections || spec.closesConnections) expected.push('WEBSOCKET_CALLBACK_URL');
    if (spec.countsLoginFailures) {
      expected.push('LOGIN_USERNAME_FAILURES', 'LOGIN_ADDRESS_FAILURES', 'LOGIN_FAILURE_WINDOW_SECONDS');
    }
    if (spec.enforcesLimits) {
      expected.push(...(Object.keys(limitsEnvironment()) as EnvironmentVariableName[]));
    }
    if (invokesFanOut(name)) {
      expected.push(...(Object.keys(fanOutEnvironment('fanout')) as EnvironmentVariableName[]));
    }

    expect(Object.keys(environment).sort()).toEqual(expected.sort());
    // The per-user limits are written out, defaults included, on exactly the functions that enforce one.
    if (spec.enforcesLimits) {
      expect(environment).toMatchObject({
        RATE_MESSAGES_PER_MINUTE: '300',
        RATE_MESSAGES_BURST: '20',
        MAX_CONNECTIONS_PER_USER: '10',
        MAX_ROOMS_PER_CONNECTION: '50',
      });
    }
    expect(environment).not.toHaveProperty('BCRYPT_COST' satisfies EnvironmentVariableName);
    expect(environment).not.toHaveProperty('JWT_SECRET' satisfies EnvironmentVariableName);
    expect(environment.NODE_OPTIONS).toBe('--enable-source-maps');
    expect(environment.POWERTOOLS_SERVICE_NAME).toBe('chat');
    expect(environment.POWERTOOLS_METRICS_NAMESPACE).toBe('ServerlessChat');
    if (access !== 'none') expect(environment.TABLE_NAME).toEqual({ Ref: tableId });
    // The lockout's settings are written out, defaults included, so that they show (and change) in the console.
    if (spec.countsLoginFailures) {
      expect(environment).toMatchObject({
        LOGIN_USERNAME_FAILURES: '10',
        LOGIN_ADDRESS_FAILURES: '50',
        LOGIN_FAILURE_WINDOW_SECONDS: '900',
      });
    }
    // The ARN (a Ref to the secret), never the value: the value exists only inside Secrets Manager.
    if (spec.usesSigningKey) expect(environment.JWT_SECRET_ARN).toEqual({ Ref: secretId });
    if (spec.postsToConnections || spec.closesConnections) {
      const callbackUrl = JSON.stringify(environment.WEBSOCKET_CALLBACK_URL);
      expect(callbackUrl).toContain('"https://"');
      expect(callbackUrl).toContain(`{"Ref":"${webSocketApiId}"}`);
      expect(callbackUrl).toMatch(/"\/prod"\]\]\}$/);
    }
  });

  it(`has exactly the DynamoDB actions of ${access} access, on the table only`, () => {
    const statements = statementsOf(name).filter((statement) =>
      JSON.stringify(statement.Action).includes('dynamodb:'),
    );

    expect(actionsWithPrefix(name, 'dynamodb:')).toEqual([...DYNAMODB_ACTIONS_BY_ACCESS[access]].sort());
    for (const statement of statements) {
      expect(JSON.stringify(statement.Resource)).toContain(`{"Fn::GetAtt":["${tableId}","Arn"]}`);
      expect(statement.Resource).not.toBe('*');
    }
  });

  if (access === 'read') {
    it('cannot change data', () => {
      for (const action of DATA_CHANGING_ACTIONS)
        expect(actionsWithPrefix(name, 'dynamodb:')).not.toContain(action);
    });
  }

  if (access === 'write') {
    it('cannot read data', () => {
      for (const action of DATA_READING_ACTIONS)
        expect(actionsWithPrefix(name, 'dynamodb:')).not.toContain(action);
    });
  }

  it(spec.usesSigningKey ? 'may read the signing key' : 'may not read the signing key', () => {
    const secretStatements = statementsOf(name).filter((statement) =>
      actionsOf([statement]).includes('secretsmanager:GetSecretValue'),
    );

    if (spec.usesSigningKey) {
      expect(secretStatements.map((statement) => statement.Resource)).toEqual([{ Ref: secretId }]);
    } else {
      expect(actionsWithPrefix(name, 'secretsmanager:')).toEqual([]);
    }
  });

  const managementMethods = [
    ...(spec.postsToConnections ? ['POST'] : []),
    ...(spec.closesConnections ? ['DELETE'] : []),
  ];
  it(
    managementMethods.length > 0
      ? `may ${managementMethods.join(' and ')} WebSocket connections, and nothing else of the management API`
      : 'may not manage WebSocket connections',
    () => {
      const statements = statementsOf(name).filter((statement) =>
        actionsOf([statement]).includes('execute-api:ManageConnections'),
      );

      // Exactly the methods the function needs: POST sends a frame, DELETE closes a connection (when its
      // session ends); none has GET (describe a connection). CDK merges the grants of one action into one
      // statement of several resources.
      const resources = resourcesOf(statements);
      expect(resources).toHaveLength(managementMethods.length);
      for (const resource of resources) expect(resource).toContain(`{"Ref":"${webSocketApiId}"}`);
      expect(
        resources.map((resource) => /\/prod\/([A-Z]+)\/@connections\/\*/.exec(resource)?.[1]).sort(),
      ).toEqual([...managementMethods].sort());
      if (managementMethods.length === 0) expect(actionsWithPrefix(name, 'execute-api:')).toEqual([]);
    },
  );

  it('has no wildcard resource except for X-Ray, which has no resource-level permissions', () => {
    const wildcards = statementsOf(name).filter((statement) =>
      JSON.stringify(statement.Resource).includes('"*"'),
    );

    for (const action of actionsOf(wildcards)) expect(action).toMatch(/^xray:/);
  });

  it('has a role of its own, without managed policies, that writes to its own log group only', () => {
    const role = stack.functions.byName[name].role;
    if (!role) throw new Error(`${name} has no role`);
    const roleResource = template.toJSON().Resources[logicalIdOf(role)];
    const otherFunctionRoles = functionNames
      .filter((other) => other !== name)
      .map((other) => stack.functions.byName[other].role);
    const logGroupRef = functionProperties(name).LoggingConfig.LogGroup.Ref;
    const logStatements = statementsOf(name).filter((statement) =>
      JSON.stringify(statement.Action).includes('logs:'),
    );

    expect(functionProperties(name).Role).toEqual({ 'Fn::GetAtt': [logicalIdOf(role), 'Arn'] });
    expect(otherFunctionRoles).not.toContain(role);
    expect(roleResource.Properties.ManagedPolicyArns).toBeUndefined();
    expect(roleResource.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    expect(actionsWithPrefix(name, 'logs:')).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    for (const statement of logStatements) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [logGroupRef, 'Arn'] });
    }
  });
});

describe('the grants of the session model', () => {
  it('let the sessions function close connections (DELETE), post participant_left, and read and write the table', () => {
    const statements = statementsOf('sessions').filter((statement) =>
      actionsOf([statement]).includes('execute-api:ManageConnections'),
    );

    expect(resourcesOf(statements).sort()).toEqual([
      expect.stringContaining('/prod/DELETE/@connections/*'),
      expect.stringContaining('/prod/POST/@connections/*'),
    ]);
    expect(tableAccessOf('sessions')).toBe('readWrite');
    expect(functions.sessions.usesSigningKey).toBe(true);
  });

  it('let login write its new session, and every authenticated function read the session of its token', () => {
    expect(tableAccessOf('login')).toBe('readWrite');
    for (const name of ['me', 'rooms', 'conversations', 'connect'] as const) {
      expect(actionsWithPrefix(name, 'dynamodb:'), name).toContain('dynamodb:GetItem');
    }
  });
});

describe('the table', () => {
  it('is built from the schema module: keys, GSI and TTL attribute', () => {
    const { partitionKey, sortKey, ttlAttribute, globalSecondaryIndexes } = tableSchema;

    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
      GlobalSecondaryIndexes: globalSecondaryIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });

  it('is on demand, encrypted and recoverable to a point in time', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('is retained when the stack is deleted', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('is deleted with an ephemeral stack', () => {
    const ephemeral = synthChatStack({ props: { retainData: false } });

    ephemeral.template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    // Point-in-time recovery stays on: it costs only per GB stored, and throw-away data is small.
    ephemeral.template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

describe('the signing key', () => {
  it('is generated by Secrets Manager, so its value is not in the template', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      SecretString: Match.absent(),
    });
  });
});

describe('the stack', () => {
  it('outputs the HTTP API URL, the WebSocket URL and the table name', () => {
    template.hasOutput('HttpApiUrl', { Value: { 'Fn::GetAtt': [httpApiId, 'ApiEndpoint'] } });
    template.hasOutput('WebSocketUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['wss://', { Ref: webSocketApiId }, '/prod'])] },
    });
    template.hasOutput('TableName', { Value: { Ref: tableId } });
  });

  it('uses the stage name it is given in the WebSocket URL and the callback URL', () => {
    const dev = synthChatStack({ props: { stageName: 'dev' } });
    const devWebSocketApiId = dev.stack.getLogicalId(
      dev.stack.webSocketApi.api.node.defaultChild as CfnElement,
    );

    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: devWebSocketApiId },
      StageName: 'dev',
    });
    dev.template.hasOutput('WebSocketUrl', { Value: { 'Fn::Join': ['', Match.arrayWith(['/dev'])] } });
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { WEBSOCKET_CALLBACK_URL: { 'Fn::Join': ['', Match.arrayWith(['/dev'])] } } },
    });
  });

  it('gives the login function the lockout settings it is given, the others at their defaults', () => {
    const strict = synthChatStack({ props: { loginLockout: { usernameFailures: 5, windowSeconds: 3600 } } });

    strict.template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Description: Match.stringLikeRegexp('^chat: login '),
      Environment: {
        Variables: Match.objectLike({
          LOGIN_USERNAME_FAILURES: '5',
          LOGIN_ADDRESS_FAILURES: '50',
          LOGIN_FAILURE_WINDOW_SECONDS: '3600',
        }),
      },
    });
  });

  it('leaves nothing behind when it is deleted, but the retained table', () => {
    for (const [logicalId, resource] of Object.entries<{ DeletionPolicy?: string }>(
      template.toJSON().Resources,
    )) {
      if (logicalId === tableId) continue;
      expect([undefined, 'Delete']).toContain(resource.DeletionPolicy);
    }
  });

  it('synthesizes without errors, and warns only that no push is sent without platform applications', () => {
    const annotations = Annotations.fromStack(stack);

    annotations.hasNoError('*', Match.anyValue());
    const warnings = annotations.findWarning('*', Match.anyValue());
    expect(warnings.map((warning) => warning.id)).toEqual(['/ServerlessChat/Notifier']);
    // With them, nothing at all (test/infra/notifier.test.ts).
  });
});
