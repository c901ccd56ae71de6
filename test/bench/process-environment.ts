/**
 * The benchmark process's own environment, set before any function module loads (run.ts imports this first):
 * those modules read it once, at load. Powertools keeps quiet so that standard output holds the report only, and
 * the SDK does not warn that Node.js 20 is past its end of life (Lambda runs Node.js 24).
 */
import type { EnvironmentSettings, EnvironmentVariableName } from '../../lambdas/shared/environment.ts';

const quiet: EnvironmentSettings = {
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
Object.assign(process.env, quiet);
// One sender sends every fan-out trial's message, hundreds a minute: the per-user message rate would refuse them.
Object.assign(process.env, {
  RATE_MESSAGES_PER_MINUTE: '600000',
  RATE_MESSAGES_BURST: '100000',
} satisfies EnvironmentSettings);
// bcrypt runs at the production cost (11) in the stack's register and login.
delete process.env['BCRYPT_COST' satisfies EnvironmentVariableName];
