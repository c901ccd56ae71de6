import { App } from 'aws-cdk-lib';
import { stackPropsFromContext, webClientFromContext } from '../lib/app-context.ts';
import { ChatStack } from '../lib/chat-stack.ts';
import { HTTP_STAGE_THROTTLE } from '../lib/constructs/http-api.ts';
import { WEBSOCKET_STAGE_THROTTLE } from '../lib/constructs/websocket-api.ts';
import { addNagChecks } from '../lib/nag-acknowledgements.ts';
import { AUTH_THROTTLE } from '../lib/routes.ts';
import { buildWebClient } from '../web/build.ts';

const app = new App();

// Context values (cdk.json or `-c key=value`; give `cdk destroy` the same ones as `cdk deploy`), each checked
// by lib/app-context.ts and listed in docs/deployment.md:
//   stage       The WebSocket API's stage name: the last path segment of WebSocketUrl and of the callback URL
//               the functions post to. Letters, digits, "-" and "_". Default 'prod'. (The HTTP API always uses
//               its `$default` stage, so HttpApiUrl has no stage segment.)
//   ephemeral   'true' marks a throw-away stack: the table and its data are deleted with the stack instead of
//               being retained, e.g. `npx cdk deploy -c ephemeral=true` then `npx cdk destroy -c ephemeral=true`.
//               Default 'false': `cdk destroy` leaves the table (with point-in-time recovery) behind.
//   alarmEmail  An e-mail address: alarms and their recoveries are published to a new SNS topic with this
//               address subscribed (confirm the e-mail AWS sends). Default none: no topic, and the alarms only
//               change state (console, dashboard).
//   httpRateLimit, httpBurstLimit, webSocketRateLimit, webSocketBurstLimit, authRateLimit, authBurstLimit
//               The gateways' throttles (all clients together).
//   rateMessagesPerMinute, rateMessagesBurst, rateJoins…, rateRoomCreations…, rateConversationOpens…,
//   maxConnectionsPerUser, maxRoomsPerConnection
//               The per-user rates and quotas.
//   budgetMonthlyUsd, budgetEmail (default alarmEmail), budgetTopicArn
//               An AWS Budgets cost budget and whom it tells. Default none.
//   pushApnsPlatformArn, pushFcmPlatformArn
//               The ARNs of the SNS platform applications (APNs, FCM) that push notifications go through
//               (arn:aws:sns:<region>:<account>:app/APNS|APNS_SANDBOX|GCM/<name>). Default none: devices register
//               but no push is sent, and the synth says so with a warning.
//   allowedOrigins
//               Comma-separated browser origins (https://host[:port], http://localhost[:port]) whose pages may
//               call the HTTP API (CORS). Default none: no browser page may.
//   webClient   'true' builds the web client and serves it from S3 behind CloudFront (output WebClientUrl); its
//               origin is allowed by CORS too. Default 'false'.

/** A context value as a string; absent and empty both mean "not given". */
function context(name: string): string | undefined {
  const value: unknown = app.node.tryGetContext(name);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

new ChatStack(app, 'ServerlessChat', {
  ...stackPropsFromContext(context, {
    http: HTTP_STAGE_THROTTLE,
    webSocket: WEBSOCKET_STAGE_THROTTLE,
    auth: AUTH_THROTTLE,
  }),
  webClient: await webClientFromContext(context, buildWebClient),
});

// cdk-nag's AwsSolutions checks on every synth: an unacknowledged finding (error or warning) fails `cdk synth`
// and `cdk deploy` with exit code 1. The acknowledged findings and their reasons: lib/nag-acknowledgements.ts.
addNagChecks(app);
