/**
 * Configuration, read from the environment once per container. A missing variable fails at cold start with its
 * name, not later on a request. The local stack sets the same variables as the CDK stack; nothing here knows
 * whether it runs on AWS.
 */

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

function integerEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Environment variable ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** bcrypt cost of new password hashes. The stack never sets BCRYPT_COST; tests lower it through it. */
export const DEFAULT_BCRYPT_COST = 11;

/** How long an access token is valid. No refresh tokens: a client logs in again. */
export const DEFAULT_TOKEN_TTL_SECONDS = 12 * 60 * 60;

/** API Gateway closes a WebSocket connection after at most 2 hours. */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60;

/** Connection items outlive the longest possible connection a little, so TTL only removes the dead. */
export const CONNECTION_TTL_SECONDS = MAX_CONNECTION_SECONDS + 10 * 60;

export function tableName(): string {
  return requireEnv('TABLE_NAME');
}

export function bcryptCost(): number {
  return integerEnv('BCRYPT_COST', DEFAULT_BCRYPT_COST, 4, 15);
}

export function tokenTtlSeconds(): number {
  return integerEnv('TOKEN_TTL_SECONDS', DEFAULT_TOKEN_TTL_SECONDS, 60, 7 * 24 * 60 * 60);
}

export function webSocketCallbackUrl(): string {
  return requireEnv('WEBSOCKET_CALLBACK_URL');
}
