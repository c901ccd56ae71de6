/**
 * bin/app.ts itself, run the way `cdk synth` runs it (a separate process with `CDK_OUTDIR` and
 * `CDK_CONTEXT_JSON`): its context values reach the stack, bad values are refused, and an unacknowledged cdk-nag
 * finding makes it exit non-zero. Bundling and the template validator are skipped (bundle.test.ts covers them).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdkContext, repoRoot } from './synth.ts';

interface Run {
  readonly code: number;
  readonly stderr: string;
  readonly template?: {
    Resources: Record<
      string,
      { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }
    >;
    Outputs?: Record<string, { Value: unknown }>;
  };
}

const outdirs: string[] = [];

/** Runs bin/app.ts with these `-c` values; `preload` is a module loaded first (to tamper with the app). */
function runApp(context: Record<string, string>, preload?: string): Promise<Run> {
  const outdir = mkdtempSync(join(tmpdir(), 'chat-app-'));
  outdirs.push(outdir);
  const imports = ['--import', 'tsx', ...(preload ? ['--import', preload] : [])];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...imports, fileURLToPath(new URL('bin/app.ts', repoRoot))],
      {
        cwd: fileURLToPath(repoRoot),
        env: {
          ...process.env,
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({ ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context }),
          CDK_VALIDATION: 'false',
          NODE_ENV: 'production',
        },
      },
      (error, _stdout, stderr) => {
        let template: Run['template'];
        try {
          template = JSON.parse(readFileSync(join(outdir, 'ServerlessChat.template.json'), 'utf8'));
        } catch {
          template = undefined;
        }
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr, template });
      },
    );
  });
}

function resourcesOfType(run: Run, type: string) {
  return Object.values(run.template?.Resources ?? {}).filter((resource) => resource.Type === type);
}

/** The stage names of a run's template, sorted. */
function stageNames(run: Run): string[] {
  return resourcesOfType(run, 'AWS::ApiGatewayV2::Stage')
    .map((stage) => stage.Properties?.StageName as string)
    .sort();
}

let defaults: Run;
let custom: Run;
let badContext: Run;
let unacknowledged: Run;
let sized: Run;
let budgetWithoutAnyone: Run;

beforeAll(async () => {
  // The four synths run in parallel: each is a cold Node process (about two seconds).
  [defaults, custom, badContext, unacknowledged, sized, budgetWithoutAnyone] = await Promise.all([
    runApp({}),
    runApp({ stage: 'dev', ephemeral: 'true', alarmEmail: 'oncall@example.com', webClient: 'true' }),
    runApp({ ephemeral: 'yes' }),
    runApp({}, fileURLToPath(new URL('fixtures/forget-smg4-acknowledgement.ts', import.meta.url))),
    runApp({
      httpRateLimit: '2000',
      webSocketBurstLimit: '3000',
      authRateLimit: '50',
      rateMessagesPerMinute: '600',
      maxConnectionsPerUser: '5',
      fanOutShardThreshold: '2000',
      fanOutPostsPerSecond: '4000',
      budgetMonthlyUsd: '75',
      budgetEmail: 'billing@example.com',
      allowedOrigins: 'https://chat.example.com,http://localhost:3002',
    }),
    runApp({ budgetMonthlyUsd: '75' }),
  ]);
}, 60_000);

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('bin/app.ts without context values', () => {
  it('synthesizes, with cdk-nag passing', () => {
    expect(defaults.stderr).not.toMatch(/AwsSolutions-/);
    expect(defaults.code).toBe(0);
  });

  it('retains the table, uses the prod stage and makes no alarm topic', () => {
    const [table] = resourcesOfType(defaults, 'AWS::DynamoDB::Table');
    const stages = stageNames(defaults);

    expect(table.DeletionPolicy).toBe('Retain');
    expect(stages).toEqual(['$default', 'prod']);
    expect(resourcesOfType(defaults, 'AWS::SNS::Topic')).toEqual([]);
  });

  it('makes no budget, and says so in its outputs', () => {
    expect(resourcesOfType(defaults, 'AWS::Budgets::Budget')).toEqual([]);
    expect(defaults.template?.Outputs?.Budget?.Value).toMatch(/^none: deploy with -c budgetMonthlyUsd=/);
    expect(sized.template?.Outputs?.Budget?.Value).toMatch(/^USD 75 a month/);
  });
});

describe('bin/app.ts with -c stage=dev -c ephemeral=true -c alarmEmail=... -c webClient=true', () => {
  it('synthesizes', () => {
    expect(custom.code).toBe(0);
  });

  it('deletes the table with the stack, names the stage dev and e-mails alarms', () => {
    const [table] = resourcesOfType(custom, 'AWS::DynamoDB::Table');
    const stages = stageNames(custom);
    const subscriptions = resourcesOfType(custom, 'AWS::SNS::Subscription');

    expect(table.DeletionPolicy).toBe('Delete');
    expect(stages).toEqual(['$default', 'dev']);
    expect(subscriptions.map((subscription) => subscription.Properties?.Endpoint)).toEqual([
      'oncall@example.com',
    ]);
  });

  it('builds the web client at synth and deploys it behind CloudFront, with its URL as an output', () => {
    expect(resourcesOfType(custom, 'AWS::CloudFront::Distribution')).toHaveLength(1);
    // One deployment of the built files, one of config.json with the URLs resolved at deploy.
    expect(resourcesOfType(custom, 'Custom::CDKBucketDeployment')).toHaveLength(2);
    expect(custom.template?.Outputs?.WebClientUrl).toBeDefined();
    expect(resourcesOfType(defaults, 'AWS::CloudFront::Distribution')).toHaveLength(0);
  });
});

describe('bin/app.ts with throttles, limits and a budget as context values', () => {
  const stageOf = (name: string) =>
    resourcesOfType(sized, 'AWS::ApiGatewayV2::Stage').find((stage) => stage.Properties?.StageName === name)
      ?.Properties ?? {};

  it('synthesizes, with cdk-nag passing', () => {
    expect(sized.stderr).not.toMatch(/AwsSolutions-/);
    expect(sized.code).toBe(0);
  });

  it('sets the throttles given, keeping the defaults of the rest', () => {
    expect(stageOf('$default').DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 2000,
      ThrottlingBurstLimit: 1000,
    });
    expect(stageOf('prod').DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 500,
      ThrottlingBurstLimit: 3000,
    });
    expect(stageOf('$default').RouteSettings).toMatchObject({
      'POST /auth/login': { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 200 },
    });
  });

  it('gives the limits given to the functions that enforce them', () => {
    const environments = resourcesOfType(sized, 'AWS::Lambda::Function')
      .map((fn) => (fn.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {})
      .filter((variables) => 'RATE_MESSAGES_PER_MINUTE' in variables);

    expect(environments).toHaveLength(6);
    for (const variables of environments) {
      expect(variables).toMatchObject({
        RATE_MESSAGES_PER_MINUTE: '600',
        RATE_MESSAGES_BURST: '20',
        MAX_CONNECTIONS_PER_USER: '5',
      });
    }
  });

  it('gives the fan-out settings given to the functions that shard room messages', () => {
    const environments = resourcesOfType(sized, 'AWS::Lambda::Function')
      .map((fn) => (fn.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {})
      .filter((variables) => 'FANOUT_FUNCTION_NAME' in variables);

    expect(environments).toHaveLength(2);
    for (const variables of environments) {
      expect(variables).toMatchObject({
        FANOUT_SHARD_THRESHOLD: '2000',
        FANOUT_SHARD_SIZE: '200',
        FANOUT_POSTS_PER_SECOND: '4000',
      });
    }
  });

  it('makes a monthly cost budget that e-mails at 80% spent and when forecast over', () => {
    const [budget] = resourcesOfType(sized, 'AWS::Budgets::Budget');

    expect(budget?.Properties).toMatchObject({
      Budget: { BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 75, Unit: 'USD' } },
      NotificationsWithSubscribers: [
        {
          Notification: { NotificationType: 'ACTUAL', Threshold: 80, ThresholdType: 'PERCENTAGE' },
          Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'billing@example.com' }],
        },
        {
          Notification: { NotificationType: 'FORECASTED', Threshold: 100, ThresholdType: 'PERCENTAGE' },
          Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'billing@example.com' }],
        },
      ],
    });
    expect(resourcesOfType(defaults, 'AWS::Budgets::Budget')).toEqual([]);
  });

  it('lets the pages of the given origins call the HTTP API, and none without them', () => {
    const httpApiOf = (run: Run) =>
      resourcesOfType(run, 'AWS::ApiGatewayV2::Api').find((api) => api.Properties?.ProtocolType === 'HTTP');

    expect(httpApiOf(sized)?.Properties?.CorsConfiguration).toMatchObject({
      AllowOrigins: ['https://chat.example.com', 'http://localhost:3002'],
    });
    expect(httpApiOf(defaults)?.Properties).not.toHaveProperty('CorsConfiguration');
  });

  it('refuses a budget with no one to tell', () => {
    expect(budgetWithoutAnyone.code).not.toBe(0);
    expect(budgetWithoutAnyone.stderr).toContain('Context "budgetMonthlyUsd" must be given with budgetEmail');
  });
});

describe('bin/app.ts with a bad context value', () => {
  it('refuses it by name', () => {
    expect(badContext.code).not.toBe(0);
    expect(badContext.stderr).toContain('Context "ephemeral" must be "true" or "false"');
  });
});

describe('bin/app.ts when a cdk-nag finding is not acknowledged', () => {
  it('fails with the finding', () => {
    expect(unacknowledged.code).not.toBe(0);
    expect(unacknowledged.stderr).toContain('AwsSolutions-SMG4');
  });
});
