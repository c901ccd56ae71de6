/**
 * cdk-nag's AwsSolutions checks and every finding this project acknowledges instead of fixing, with the
 * constraint behind it. This is the only place acknowledgements are made, so the table in docs/deployment.md is generated from this list.
 * `bin/app.ts` adds the checks to every synth; an unacknowledged finding (error or warning) fails the synth.
 */
import { type App, type CfnElement, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { ChatFunctions } from './constructs/chat-function.ts';
import type { ChatTable } from './constructs/chat-table.ts';
import type { ChatFanOutWorker } from './constructs/fanout-worker.ts';
import type { ChatHttpApi } from './constructs/http-api.ts';
import type { JwtSigningKey } from './constructs/jwt-secret.ts';
import { type ChatNotifier, endpointsOf } from './constructs/notifier.ts';
import type { ChatWebClient } from './constructs/web-client.ts';
import type { ChatWebSocketApi } from './constructs/websocket-api.ts';
import { webClientAcknowledgements } from './nag-web-client.ts';
import { type FunctionName, functionNames, functions, tableAccessOf } from './routes.ts';

/**
 * The parts of the stack that findings concern. The stack passes itself; naming the parts here, rather than the
 * stack's class, keeps this module below the stack (the stack imports it to record the acknowledgements).
 */
export interface NagSubject {
  readonly table: ChatTable;
  readonly signingKey: JwtSigningKey;
  readonly functions: ChatFunctions;
  readonly httpApi: ChatHttpApi;
  readonly webSocketApi: ChatWebSocketApi;
  readonly notifier: ChatNotifier;
  /** Only when the web client is part of the stack; its acknowledgements then have no target. */
  readonly webClient?: ChatWebClient;
  readonly fanOutWorker: ChatFanOutWorker;
  getLogicalId(element: CfnElement): string;
}

/** Where an acknowledgement is recorded: a construct (it covers its children) and the exact finding id. */
export interface NagTarget {
  readonly scope: IConstruct;
  /** As cdk-nag reports it: `AwsSolutions-SMG4`, or `AwsSolutions-IAM5[Resource::...]` for one finding. */
  readonly id: string;
}

export interface NagAcknowledgement {
  /** The cdk-nag rule: `AwsSolutions-APIG4`. */
  readonly rule: string;
  /** For rules that report several findings per resource (IAM5): which one, in the words of the generated table. */
  readonly finding?: string;
  /** What it concerns, in the words of the generated table. */
  readonly where: string;
  /** The real constraint that makes the finding the right design here. */
  readonly reason: string;
  /** The constructs to acknowledge it on, each with the finding id cdk-nag reports there. */
  readonly targets: (stack: NagSubject) => readonly NagTarget[];
}

/** The role of each function whose spec matches, with the finding id that role's policy gets. */
function functionRoles(
  stack: NagSubject,
  applies: (name: FunctionName) => boolean,
  id: string,
): readonly NagTarget[] {
  const targets: NagTarget[] = [];
  for (const name of functionNames) {
    if (!applies(name)) continue;
    const role = stack.functions.byName[name].role;
    if (role) targets.push({ scope: role, id });
  }
  return targets;
}

/** The notifier's role (lib/constructs/notifier.ts), with the finding id its policy gets. */
function notifierRole(stack: NagSubject, id: string): readonly NagTarget[] {
  const role = stack.notifier.function.role;
  return role ? [{ scope: role, id }] : [];
}

/** The fan-out worker's role (lib/constructs/fanout-worker.ts), with the finding id its policy gets. */
function fanOutWorkerRole(stack: NagSubject, id: string): readonly NagTarget[] {
  const role = stack.fanOutWorker.function.role;
  return role ? [{ scope: role, id }] : [];
}

function logicalIdOf(stack: NagSubject, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/**
 * The acknowledgement of one method of the management API (`execute-api:ManageConnections`), for the roles of
 * the functions that use it.
 */
function connectionsAcknowledgement(
  method: 'POST' | 'DELETE',
  verb: string,
  purpose: string,
  uses: (name: FunctionName) => boolean,
): NagAcknowledgement {
  return {
    rule: 'AwsSolutions-IAM5',
    finding: `Resource::arn:…:execute-api:…:<WebSocketApi>/<stage>/${method}/@connections/*`,
    where: `roles of the functions that ${verb} WebSocket connections`,
    reason:
      `execute-api:ManageConnections for ${method} (${purpose}) only, on the connections of this API stage ` +
      'only. Connection ids are created by API Gateway at run time, one per client connection, so no policy can ' +
      'list them; the wildcard is the connection id and nothing else.',
    targets: (stack) => {
      const apiId = logicalIdOf(stack, stack.webSocketApi.api);
      const stageName = stack.webSocketApi.stage.stageName;
      const id = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${stageName}/${method}/@connections/*]`;
      // The fan-out worker posts too (WebSocket API's allowPosting).
      return [...functionRoles(stack, uses, id), ...(method === 'POST' ? fanOutWorkerRole(stack, id) : [])];
    },
  };
}

export const nagAcknowledgements: readonly NagAcknowledgement[] = [
  {
    rule: 'AwsSolutions-APIG4',
    where: 'every HTTP route and WebSocket route',
    reason:
      'Authorization happens in the functions: each verifies the HS256 JWT (signature, algorithm, expiry) before ' +
      'doing anything else and answers the 401 of the contract. No gateway authorizer can do that job here: the ' +
      'HTTP API JWT authorizer only accepts RSA-signed tokens checked against the published keys of an OIDC issuer, ' +
      'not an HS256 shared secret; a WebSocket API has no JWT authorizer at all, and its clients send the token ' +
      'in the $connect query string (browsers cannot set headers on a WebSocket); a Lambda authorizer would add a ' +
      'second function, cold start and cost per request to verify the same token. Register and login are public ' +
      'by design; every other route rejects a missing or bad token.',
    targets: (stack) => [
      { scope: stack.httpApi.api, id: 'AwsSolutions-APIG4' },
      { scope: stack.webSocketApi.api, id: 'AwsSolutions-APIG4' },
    ],
  },
  {
    rule: 'AwsSolutions-IAM5',
    finding: 'Resource::*',
    where: 'every function role: xray:PutTraceSegments, xray:PutTelemetryRecords',
    reason:
      'Added by active X-Ray tracing. These X-Ray actions have no resource-level permissions: AWS only accepts ' +
      '"*" for them. Infra tests assert that no other action of any function has a wildcard resource.',
    targets: (stack) => [
      ...functionRoles(stack, () => true, 'AwsSolutions-IAM5[Resource::*]'),
      // The notifier's also holds dynamodb:ListStreams, which AWS only grants on "*" (the stream grant adds it).
      ...notifierRole(stack, 'AwsSolutions-IAM5[Resource::*]'),
      ...fanOutWorkerRole(stack, 'AwsSolutions-IAM5[Resource::*]'),
    ],
  },
  {
    rule: 'AwsSolutions-IAM5',
    finding: 'Resource::<Table.Arn>/index/*',
    where: 'roles of the functions with table access',
    reason:
      'Generated by the table grants (grantReadData, grantWriteData, grantReadWriteData), which cover the indexes ' +
      'so that a Query can use the GSI. The wildcard stops at the indexes of this one table, which only hold a ' +
      'projection of its items; the actions stay exactly those the route table gives the function (an index ' +
      'cannot be written to directly).',
    targets: (stack) => {
      const tableId = logicalIdOf(stack, stack.table);
      const id = `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`;
      return [
        ...functionRoles(stack, (name) => tableAccessOf(name) !== 'none', id),
        ...notifierRole(stack, id),
        ...fanOutWorkerRole(stack, id),
      ];
    },
  },
  connectionsAcknowledgement(
    'POST',
    'post to',
    'sending a frame',
    (name) => functions[name].postsToConnections,
  ),
  connectionsAcknowledgement(
    'DELETE',
    'close',
    'closing a connection when its session ends',
    (name) => functions[name].closesConnections,
  ),
  {
    rule: 'AwsSolutions-IAM5',
    finding: 'Resource::arn:aws:sns:…:endpoint/<platform>/<application>/*',
    where: 'the notifier role: sns:SetEndpointAttributes, sns:DeleteEndpoint, sns:Publish',
    reason:
      'SNS creates one platform endpoint per device at run time (CreatePlatformEndpoint, itself granted on the ' +
      'given platform applications only), so no policy can list them; the wildcard is the endpoint id under the ' +
      'platform applications given at deploy, and nothing else: no topic, no other application.',
    targets: (stack) =>
      Object.values(stack.notifier.platformArns).flatMap((arn) =>
        notifierRole(stack, `AwsSolutions-IAM5[Resource::${endpointsOf(arn)}]`),
      ),
  },
  {
    rule: 'AwsSolutions-SQS3',
    where: 'the dead-letter queues of the notifier and the fan-out worker',
    reason:
      'Each is the dead-letter destination itself (the on-failure destination of the stream’s event source ' +
      'mapping, and of the fan-out worker’s asynchronous invocations, which cdk-nag does not recognise as ' +
      'such): a queue of what was given up on needs no dead-letter queue of its own. Nothing consumes them ' +
      'automatically; an alarm fires when one holds a message.',
    targets: (stack) =>
      [stack.notifier, stack.fanOutWorker].map(({ deadLetterQueue }) => ({
        scope: deadLetterQueue,
        id: 'AwsSolutions-SQS3',
      })),
  },
  {
    rule: 'AwsSolutions-SMG4',
    where: 'the JWT signing key secret',
    reason:
      'Rotating the HS256 signing key invalidates every token signed with the old key, signing every user out at ' +
      'once, and doing it gracefully needs a rotation function and verification against two keys. Access tokens ' +
      'live at most 15 minutes; the key is generated by Secrets Manager, never leaves it but for the functions ' +
      'that sign or verify tokens, and can be rotated by hand if it may have leaked (a new random value, with a ' +
      'new `kid`: access tokens of the old key are refused and clients refresh them, as refresh tokens are not ' +
      'signed; containers keep the key they read for their lifetime, so redeploy or wait for them to recycle).',
    targets: (stack) => [{ scope: stack.signingKey, id: 'AwsSolutions-SMG4' }],
  },
  ...webClientAcknowledgements,
];

/** Records each acknowledgement on its constructs, with its reason (cdk-nag reads them at synth). */
export function acknowledgeNagFindings(
  stack: NagSubject,
  acknowledgements: readonly NagAcknowledgement[] = nagAcknowledgements,
): void {
  for (const acknowledgement of acknowledgements) {
    for (const target of acknowledgement.targets(stack)) {
      Validations.of(target.scope).acknowledge({ id: target.id, reason: acknowledgement.reason });
    }
  }
}

/** Runs cdk-nag's AwsSolutions checks on every synth of the app; any unacknowledged finding fails the synth. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}
