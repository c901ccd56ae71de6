import { createHash } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import jwt from 'jsonwebtoken';
import * as z from 'zod/mini';
import { signingKeyCacheSeconds, signingKeySource } from './config.ts';
import { UnauthorizedError } from './errors.ts';
import { logger } from './logger.ts';

/** Who a valid token speaks for, and in which session (one login) it was issued. */
export interface Identity {
  readonly userId: string;
  readonly username: string;
  readonly sessionId: string;
}

/** The `iss` and `aud` of every token: checked on verify, so a token of another service or purpose is refused. */
export const TOKEN_ISSUER = 'serverless-chat';
export const TOKEN_AUDIENCE = 'serverless-chat-api';

/**
 * The `kid` of a key: a digest of the key itself, so that a rotated key has a new id without anyone choosing
 * one, and a token signed by another key is refused before its signature is even checked. Not secret: 72 bits
 * of a SHA-256 reveal nothing usable about a key of at least 32 characters.
 */
export function keyIdOf(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 12);
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresIn: number;
}

/**
 * Turns a bearer token into the identity it speaks for, or throws UnauthorizedError: the signature and claims,
 * then whether its session is still alive (lambdas/domain/sessions.ts `authenticate`).
 */
export type Authenticator = (token: string) => Promise<Identity>;

/** Resolves the HS256 signing key. Called per request; the key is re-read from its secret now and then. */
export type SigningKeyProvider = () => Promise<string>;

/** After a failed re-read, how long the old key is used before the secret is read again (at most its lifetime). */
const STALE_RETRY_MS = 30_000;

/** Keys shorter than this are refused: HS256 with a short secret can be brute-forced offline. */
const MIN_KEY_LENGTH = 32;

/** What a cached key is read from, and the clock that ages it; tests give fakes of both. */
export interface SigningKeyCacheOptions {
  /** Reads the secret's current value. */
  readonly fetchKey: () => Promise<string>;
  /** How long a read key is used before it is read again; 0 reads it on every request. */
  readonly lifetimeSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** Told when a re-read fails and the old key stays in use; never given the key. */
  readonly onStaleKey?: (error: unknown) => void;
}

/**
 * The key comes from `JWT_SECRET` when set (tests of single handlers; fixed for the process's lifetime) and
 * otherwise from the Secrets Manager secret named by `JWT_SECRET_ARN` (the CDK stack, and the local stack with
 * its emulated Secrets Manager), read on first use and
 * again once it is `SIGNING_KEY_CACHE_SECONDS` old, so that a rotated key is in use everywhere within that time.
 */
export function signingKeyFromEnvironment(
  overrides: Partial<Pick<SigningKeyCacheOptions, 'fetchKey' | 'now'>> = {},
): SigningKeyProvider {
  const source = signingKeySource();
  if ('key' in source) {
    const checked = checkKey(source.key, source.variable);
    return async () => checked;
  }
  const fetchKey = overrides.fetchKey ?? secretReader(source.secretArn);
  return cachedSigningKey({
    fetchKey,
    lifetimeSeconds: signingKeyCacheSeconds(),
    ...(overrides.now ? { now: overrides.now } : {}),
    onStaleKey: (error) =>
      logger.warn('The signing key could not be re-read; the cached key stays in use', {
        error: error instanceof Error ? error.name : 'unknown',
      }),
  });
}

function secretReader(secretArn: string): () => Promise<string> {
  // The SDK takes the endpoint from its own AWS_ENDPOINT_URL_SECRETS_MANAGER, which only the local stack sets.
  const client = new SecretsManagerClient({});
  return async () => {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    return output.SecretString ?? '';
  };
}

/**
 * A key read with `fetchKey` and kept for `lifetimeSeconds`. Until the first read succeeds every request waits
 * for it, one read at a time, and a failure is not cached: that request fails and the next one reads again.
 * Once the key is older than its lifetime, the request that notices waits for one re-read while requests
 * arriving meanwhile keep the cached key. A failed re-read (Secrets Manager unavailable, or a value too short)
 * keeps the old key rather than failing every request, and the secret is read again 30 seconds later (or after
 * the lifetime, when shorter): better a key that may be a few minutes stale than an outage of every signed route.
 */
export function cachedSigningKey(options: SigningKeyCacheOptions): SigningKeyProvider {
  const { fetchKey, lifetimeSeconds, now = Date.now, onStaleKey } = options;
  const lifetimeMs = lifetimeSeconds * 1000;
  let cached: { readonly key: string; readonly readAt: number } | undefined;
  let reading: Promise<string> | undefined;

  const read = (): Promise<string> => {
    reading ??= fetchKey()
      .then((value) => {
        const key = checkKey(value, 'the JWT signing secret');
        cached = { key, readAt: now() };
        return key;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  return async () => {
    if (cached === undefined) return read();
    if (now() - cached.readAt < lifetimeMs) return cached.key;
    if (reading !== undefined) return cached.key;
    const stale = cached.key;
    try {
      return await read();
    } catch (error) {
      onStaleKey?.(error);
      // Try again after a short while, not on every request: a secret left unreadable must not cost a
      // GetSecretValue (and its wait) per request, nor flood the log.
      cached = { key: stale, readAt: now() - lifetimeMs + Math.min(lifetimeMs, STALE_RETRY_MS) };
      return stale;
    }
  };
}

function checkKey(key: string, source: string): string {
  if (key.length < MIN_KEY_LENGTH) {
    throw new Error(`${source} must be at least ${MIN_KEY_LENGTH} characters long`);
  }
  return key;
}

/** Signs an HS256 access token of a session, valid for `ttlSeconds`, with the key's id in its header. */
export function issueToken(key: string, identity: Identity, ttlSeconds: number): IssuedToken {
  const token = jwt.sign({ username: identity.username, sid: identity.sessionId }, key, {
    algorithm: 'HS256',
    subject: identity.userId,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    keyid: keyIdOf(key),
    expiresIn: ttlSeconds,
  });
  return { token, expiresIn: ttlSeconds };
}

const claimsSchema = z.object({
  sub: z.string().check(z.minLength(1), z.maxLength(64)),
  username: z.string().check(z.minLength(1), z.maxLength(64)),
  sid: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  exp: z.int(),
  iat: z.optional(z.int()),
});

/**
 * Verifies a token's signature and claims and returns its identity; whether its session is still alive is
 * the caller's second check (lambdas/domain/sessions.ts). Only HS256 is accepted (so `alg: none` and
 * RS256/HS256 confusion are refused by jsonwebtoken itself), the `kid` must be the key's, `iss` and `aud` must
 * be this service's, `exp` is required, `nbf` is honoured, and claims must have the types this service writes.
 * Every failure is the same 401.
 */
export function verifyToken(key: string, token: string): Identity {
  let payload: unknown;
  try {
    const decoded = jwt.verify(token, key, {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      complete: true,
    });
    if (decoded.header.kid !== keyIdOf(key)) throw new Error('unknown kid');
    payload = decoded.payload;
  } catch {
    throw new UnauthorizedError('The token is invalid or has expired.');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    throw new UnauthorizedError('The token is invalid or has expired.');
  }
  return { userId: claims.data.sub, username: claims.data.username, sessionId: claims.data.sid };
}

/** The token in an `Authorization: Bearer <token>` header value, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  return match?.[1];
}
