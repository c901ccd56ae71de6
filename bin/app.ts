import { App } from 'aws-cdk-lib';
import { ChatStack } from '../lib/chat-stack.ts';
import { addNagChecks } from '../lib/nag-acknowledgements.ts';

const app = new App();

// Context values (cdk.json or `-c key=value`; give `cdk destroy` the same ones as `cdk deploy`):
//   stage       The WebSocket API's stage name: the last path segment of WebSocketUrl and of the callback URL
//               the functions post to. Letters, digits, "-" and "_". Default 'prod'. (The HTTP API always uses
//               its `$default` stage, so HttpApiUrl has no stage segment.)
//   ephemeral   'true' marks a throw-away stack: the table and its data are deleted with the stack instead of
//               being retained, e.g. `npx cdk deploy -c ephemeral=true` then `npx cdk destroy -c ephemeral=true`.
//               Default 'false': `cdk destroy` leaves the table (with point-in-time recovery) behind.
//   alarmEmail  An e-mail address: alarms and their recoveries are published to a new SNS topic with this
//               address subscribed (confirm the e-mail AWS sends). Default none: no topic, and the alarms only
//               change state (console, dashboard).
//   pushApnsPlatformArn, pushFcmPlatformArn
//               The ARNs of the SNS platform applications (APNs, FCM) that push notifications go through
//               (arn:aws:sns:<region>:<account>:app/APNS|APNS_SANDBOX|GCM/<name>). Default none: devices register
//               but no push is sent, and the synth says so with a warning.

/** A context value as a string; absent and empty both mean "not given". */
function context(name: string): string | undefined {
  const value: unknown = app.node.tryGetContext(name);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function refuse(name: string, rule: string, value: string): never {
  throw new Error(`Context "${name}" must be ${rule} (got "${value}").`);
}

const stageName = context('stage') ?? 'prod';
if (!/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) refuse('stage', 'letters, digits, "-" or "_"', stageName);
const ephemeral = context('ephemeral') ?? 'false';
if (ephemeral !== 'true' && ephemeral !== 'false') refuse('ephemeral', '"true" or "false"', ephemeral);
const alarmEmail = context('alarmEmail');
if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
  refuse('alarmEmail', 'an e-mail address', alarmEmail);
}

const pushPlatformArn = (name: string, platforms: string): string | undefined => {
  const arn = context(name);
  const pattern = new RegExp(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:app/(${platforms})/[A-Za-z0-9_.-]+$`);
  if (arn !== undefined && !pattern.test(arn))
    refuse(name, `an SNS platform application ARN (${platforms})`, arn);
  return arn;
};
const pushPlatformArns = {
  apns: pushPlatformArn('pushApnsPlatformArn', 'APNS|APNS_SANDBOX'),
  fcm: pushPlatformArn('pushFcmPlatformArn', 'GCM'),
};

new ChatStack(app, 'ServerlessChat', {
  stageName,
  retainData: ephemeral === 'false',
  alarmEmail,
  pushPlatformArns,
});

// cdk-nag's AwsSolutions checks on every synth: an unacknowledged finding (error or warning) fails `cdk synth`
// and `cdk deploy` with exit code 1. The acknowledged findings and their reasons: lib/nag-acknowledgements.ts.
addNagChecks(app);
