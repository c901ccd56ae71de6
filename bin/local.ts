/**
 * `npm start`: the whole backend on this machine. DynamoDB Local (unless DYNAMODB_ENDPOINT names a DynamoDB),
 * the HTTP API on PORT, the WebSocket API and its management API on WS_PORT, the emulated Secrets Manager holding
 * the signing key on SECRETS_PORT, and the web client on WEB_PORT (its own origin, as in production).
 */
import { parseArgs } from 'node:util';
import type { EnvironmentSettings } from '../lambdas/shared/environment.ts';
import { parseAllowedOrigins } from '../lib/local/cors.ts';
import { type LocalStack, SIGNING_KEY_SECRET_NAME, startLocalStack } from '../lib/local/stack.ts';
import { defaultAllowedOrigins, startLocalWebClient } from '../lib/local/web-client.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string', short: 'd' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`Usage: npm start [-- --data DIR]

Runs the chat backend locally: the Lambda handlers behind an emulation of API Gateway (HTTP and WebSocket)
with DynamoDB Local, and the signing key in an emulated Secrets Manager; and serves the web chat client.

Options:
  -d, --data DIR   keep DynamoDB Local's data (and the signing key) in DIR (default: in memory)

Environment:
  PORT (3000), WS_PORT (3001), SECRETS_PORT (3003), WEB_PORT (3002, the web client), HOST (127.0.0.1),
  ALLOWED_ORIGINS (the HTTP API's CORS origins, comma-separated; default the web client's
  http://localhost:WEB_PORT and http://127.0.0.1:WEB_PORT), DATA_DIR, DYNAMODB_ENDPOINT,
  TABLE_NAME (chat-local), JWT_SECRET (the signing key's initial value; generated when absent); the per-user
  limits: RATE_MESSAGES_PER_MINUTE, RATE_MESSAGES_BURST (and RATE_JOINS_*, RATE_ROOM_CREATIONS_*,
  RATE_CONVERSATION_OPENS_*, RATE_REACTIONS_*), MAX_CONNECTIONS_PER_USER, MAX_ROOMS_PER_CONNECTION; the
  management API's modelled post latency: POST_LATENCY_MS (0: none) and POST_JITTER_MS (0; each post waits
  POST_LATENCY_MS plus or minus up to POST_JITTER_MS, uniformly) (docs/local-stack.md)`);
  process.exit(0);
}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const port = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number, got "${raw}"`);
    process.exit(2);
  }
  return port;
}

/** Local defaults of the functions' settings; the caller's own environment wins. */
const localDefaults: EnvironmentSettings = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  // Handler logs are JSON for CloudWatch; locally, one access line per request is more readable.
  POWERTOOLS_LOG_LEVEL: 'WARN',
  // Metrics are CloudWatch EMF log lines on AWS; locally they would only be noise.
  POWERTOOLS_METRICS_DISABLED: 'true',
};
for (const [name, value] of Object.entries(localDefaults)) process.env[name] ??= value;

function millisecondsFromEnv(name: string): number {
  const raw = process.env[name];
  const ms = raw === undefined || raw === '' ? 0 : Number(raw);
  if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) {
    console.error(`${name} must be a number of milliseconds from 0 to 60000, got "${raw}"`);
    process.exit(2);
  }
  return ms;
}

const time = () => new Date().toISOString().slice(11, 23);

const host = process.env.HOST || '127.0.0.1';
let stack: LocalStack | undefined;
try {
  // The web client starts first: its port (WEB_PORT may be 0) makes the HTTP API's default CORS origins.
  const web = await startLocalWebClient({
    host,
    port: portFromEnv('WEB_PORT', 3002),
    config: () => ({ httpApiUrl: stack?.httpUrl ?? '', webSocketUrl: stack?.wsUrl ?? '' }),
  });
  const webPort = Number(new URL(web.url).port);
  stack = await startLocalStack({
    host,
    port: portFromEnv('PORT', 3000),
    wsPort: portFromEnv('WS_PORT', 3001),
    secretsPort: portFromEnv('SECRETS_PORT', 3003),
    dynamoEndpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    dataDir: values.data ?? (process.env.DATA_DIR || undefined),
    tableName: process.env.TABLE_NAME || 'chat-local',
    jwtSecret: process.env.JWT_SECRET || undefined,
    postLatency: {
      delayMs: millisecondsFromEnv('POST_LATENCY_MS'),
      jitterMs: millisecondsFromEnv('POST_JITTER_MS'),
    },
    allowedOrigins: process.env.ALLOWED_ORIGINS
      ? parseAllowedOrigins(process.env.ALLOWED_ORIGINS)
      : defaultAllowedOrigins(webPort),
    log: (line) => console.log(`${time()} ${line}`),
  });
  const running = stack;
  console.log(`
Chat backend running locally
  Web client      ${web.url}
  HTTP API        ${stack.httpUrl}
  WebSocket API   ${stack.wsUrl}
  DynamoDB        ${stack.dynamoEndpoint} (table ${stack.tableName})
  Secrets Manager ${stack.secretsManagerEndpoint} (signing key secret ${SIGNING_KEY_SECRET_NAME})

Open the web client in a browser, or try: curl -s -X POST ${stack.httpUrl}/auth/register -H 'content-type: application/json' \\
       -d '{"username":"alice","email":"alice@example.com","password":"correct horse"}'
Press Ctrl-C to stop.
`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping...`);
    await web.close();
    await running.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  console.error(`Could not start the local stack: ${(error as Error).message}`);
  process.exit(1);
}
