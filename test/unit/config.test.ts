import { afterEach, describe, expect, it } from 'vitest';
import {
  bcryptCost,
  metricsNamespace,
  serviceName,
  sessionTtlSeconds,
  signingKeySource,
  tableName,
  tokenTtlSeconds,
  webSocketTicketTtlSeconds,
} from '../../lambdas/shared/config.ts';
import {
  type EnvironmentSettings,
  type EnvironmentVariableName,
  environmentVariables,
} from '../../lambdas/shared/environment.ts';

const saved = { ...process.env };

/** Replaces the named variables for one test; `undefined` unsets one. */
function withEnvironment(settings: EnvironmentSettings): void {
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

afterEach(() => {
  for (const name of Object.keys(environmentVariables) as EnvironmentVariableName[]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('configuration', () => {
  it('fails with the variable name when a required one is missing or empty', () => {
    withEnvironment({ TABLE_NAME: '' });

    expect(() => tableName()).toThrow('Missing required environment variable TABLE_NAME');
  });

  it('uses the declared default of an integer variable when it is unset', () => {
    withEnvironment({
      BCRYPT_COST: undefined,
      TOKEN_TTL_SECONDS: undefined,
      SESSION_TTL_SECONDS: undefined,
      WS_TICKET_TTL_SECONDS: undefined,
    });

    expect(bcryptCost()).toBe(environmentVariables.BCRYPT_COST.default);
    // The protocol's ceilings: access tokens 15 minutes, sessions 30 days, tickets 30 seconds.
    expect(tokenTtlSeconds()).toBe(15 * 60);
    expect(sessionTtlSeconds()).toBe(30 * 24 * 60 * 60);
    expect(webSocketTicketTtlSeconds()).toBe(30);
  });

  it.each([
    ['BCRYPT_COST', '3', () => bcryptCost()],
    ['BCRYPT_COST', '16', () => bcryptCost()],
    ['BCRYPT_COST', '10.5', () => bcryptCost()],
    ['TOKEN_TTL_SECONDS', '59', () => tokenTtlSeconds()],
    ['TOKEN_TTL_SECONDS', 'soon', () => tokenTtlSeconds()],
    ['TOKEN_TTL_SECONDS', '901', () => tokenTtlSeconds()],
    ['SESSION_TTL_SECONDS', String(30 * 24 * 60 * 60 + 1), () => sessionTtlSeconds()],
    ['WS_TICKET_TTL_SECONDS', '31', () => webSocketTicketTtlSeconds()],
  ] as const)('refuses %s=%s, naming the variable and its declared range', (name, value, read) => {
    withEnvironment({ [name]: value });
    const { min, max } = environmentVariables[name];

    expect(read).toThrow(`Environment variable ${name} must be an integer from ${min} to ${max}`);
  });

  it('accepts the ends of an integer range', () => {
    withEnvironment({ BCRYPT_COST: '4', TOKEN_TTL_SECONDS: '900', WS_TICKET_TTL_SECONDS: '1' });

    expect(bcryptCost()).toBe(4);
    expect(tokenTtlSeconds()).toBe(900);
    expect(webSocketTicketTtlSeconds()).toBe(1);
  });

  it('takes the signing key itself over the ARN of its secret, and needs one of them', () => {
    withEnvironment({ JWT_SECRET: 'k'.repeat(32), JWT_SECRET_ARN: 'arn:secret' });
    expect(signingKeySource()).toEqual({ key: 'k'.repeat(32), variable: 'JWT_SECRET' });

    withEnvironment({ JWT_SECRET: undefined });
    expect(signingKeySource()).toEqual({ secretArn: 'arn:secret' });

    withEnvironment({ JWT_SECRET_ARN: '' });
    expect(() => signingKeySource()).toThrow('JWT_SECRET_ARN (or JWT_SECRET)');
  });

  it('names the service and metrics namespace as the stack does when they are unset', () => {
    withEnvironment({ POWERTOOLS_SERVICE_NAME: undefined, POWERTOOLS_METRICS_NAMESPACE: undefined });

    expect(serviceName()).toBe('chat');
    expect(metricsNamespace()).toBe('ServerlessChat');
  });
});
