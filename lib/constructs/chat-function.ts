import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  type EnvironmentSettings,
  type EnvironmentVariableName,
  FUNCTION_BASE_ENVIRONMENT,
  type LimitSettings,
  type LoginLockoutSettings,
  limitsEnvironment,
  loginLockoutEnvironment,
} from '../../lambdas/shared/environment.ts';
import { functionBundling } from '../bundling.ts';
import { type FunctionName, functionNames, functions, tableAccessOf } from '../routes.ts';

/** The repository root: entries in the route table and the lock file are relative to it. */
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The `service` dimension of every custom metric and a key of every log line. */
export const SERVICE_NAME = FUNCTION_BASE_ENVIRONMENT.POWERTOOLS_SERVICE_NAME;

/** The CloudWatch namespace of the custom metrics (embedded metric format). */
export const METRICS_NAMESPACE = FUNCTION_BASE_ENVIRONMENT.POWERTOOLS_METRICS_NAMESPACE;

/** Options of one chat function. Everything else is pinned by {@link ChatFunction}. */
export interface ChatFunctionProps {
  /** The handler's entry file, relative to the repository root (as written in `lib/routes.ts`). It exports `handler`. */
  readonly entry: string;
  /**
   * Shown in the Lambda console.
   *
   * @default none
   */
  readonly description?: string;
  /**
   * Environment variables added to `FUNCTION_BASE_ENVIRONMENT` (lambdas/shared/environment.ts, which declares
   * every variable). Never put a secret's value here: pass its ARN.
   *
   * @default only the base environment
   */
  readonly environment?: EnvironmentSettings;
  /**
   * How long the function's logs are kept.
   *
   * @default one month
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * How long an invocation may run.
   *
   * @default 10 seconds
   */
  readonly timeout?: Duration;
  /**
   * Memory, and with it CPU (one vCPU at 1,769 MB).
   *
   * @default 512 MB
   */
  readonly memorySize?: number;
}

/**
 * A `NodejsFunction` with the project's defaults pinned once: Node.js 24 on ARM64, a bundle with the AWS SDK v3
 * inside, source maps, X-Ray tracing, structured-logging and metrics settings, its own log group with a retention,
 * and its own role that may write to that log group only (grants add the rest).
 */
export class ChatFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: ChatFunctionProps) {
    // A log group we own, rather than the implicit one Lambda creates on first write, so that it has a retention
    // and goes away with the stack.
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of our own instead of the default one with the AWSLambdaBasicExecutionRole managed policy, which
    // may create any log group and write to every log group in the account: this one writes to its own group only.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: join(projectRoot, props.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      description: props.description,
      // Graviton: about 20% cheaper per GB-second than x86 for the same work; nothing here is native code.
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      // Lambda allocates CPU in proportion to memory (one vCPU at 1769 MB). 512 MB rather than 256 MB because
      // login and register hash with bcryptjs (pure JavaScript, CPU-bound; a cost-11 hash is ~0.2 s on a full
      // core, so ~0.6 s at 512 MB but over a second at 256 MB), and cold starts parse a ~300 KB bundle. Memory
      // itself is not the constraint: the handlers hold no more than a page of items.
      memorySize: props.memorySize ?? 512,
      // Well below API Gateway's integration limits (30 s HTTP, 29 s WebSocket), so a stuck invocation ends with
      // our own error and log line rather than a gateway timeout. The SDK clients time out and retry within it.
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      role,
      environment: definedOnly({ ...FUNCTION_BASE_ENVIRONMENT, ...props.environment }),
      // Minified, tree-shaken CommonJS for Node.js 24 with the AWS SDK inside: lib/bundling.ts, shared with the
      // benchmark so that it weighs and cold-starts exactly these bundles.
      bundling: functionBundling,
    });
  }

  /** Adds one declared environment variable (`addEnvironment` with the name checked by the compiler). */
  setEnvironment(name: EnvironmentVariableName, value: string): this {
    return this.addEnvironment(name, value);
  }
}

/** What the chat functions are given access to. */
export interface ChatFunctionsProps {
  /** The chat table; each function gets exactly the access its routes declare, and `TABLE_NAME` when it has any. */
  readonly table: dynamodb.ITable;
  /** The token signing key; only functions that sign or verify tokens may read it, through `JWT_SECRET_ARN`. */
  readonly signingKey: secretsmanager.ISecret;
  /**
   * The failed-login thresholds and window, set on the functions that count failed logins.
   *
   * @default the declared defaults: 10 per username, 50 per address, within 15 minutes
   */
  readonly loginLockout?: LoginLockoutSettings;
  /**
   * The per-user rates and quotas, set on the functions that enforce them.
   *
   * @default the contract's defaults (lib/contract/limits.ts)
   */
  readonly limits?: LimitSettings;
}

/**
 * Every function of the route table (`lib/routes.ts`), each with the table access and secret it needs and nothing
 * more. The APIs add their routes, and the WebSocket API the management access, on top.
 */
export class ChatFunctions extends Construct {
  /** The functions by route-table name. */
  readonly byName: Readonly<Record<FunctionName, ChatFunction>>;

  constructor(scope: Construct, id: string, props: ChatFunctionsProps) {
    super(scope, id);
    const byName: Partial<Record<FunctionName, ChatFunction>> = {};

    for (const name of functionNames) {
      const spec = functions[name];
      const access = tableAccessOf(name);
      const environment: EnvironmentSettings = {
        ...(access === 'none' ? {} : { TABLE_NAME: props.table.tableName }),
        ...(spec.usesSigningKey ? { JWT_SECRET_ARN: props.signingKey.secretArn } : {}),
        ...(spec.countsLoginFailures ? loginLockoutEnvironment(props.loginLockout) : {}),
        ...(spec.enforcesLimits ? limitsEnvironment(props.limits) : {}),
      };

      const fn = new ChatFunction(this, pascalCase(name), {
        entry: spec.entry,
        description: `chat: ${name} (${spec.api} API)`,
        environment,
      });

      if (access === 'read') props.table.grantReadData(fn);
      if (access === 'write') props.table.grantWriteData(fn);
      if (access === 'readWrite') props.table.grantReadWriteData(fn);
      if (spec.usesSigningKey) props.signingKey.grantRead(fn);

      byName[name] = fn;
    }

    this.byName = byName as Record<FunctionName, ChatFunction>;
  }
}

function definedOnly(settings: EnvironmentSettings): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings)) if (value !== undefined) defined[name] = value;
  return defined;
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
