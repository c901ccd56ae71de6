import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import jwt from 'jsonwebtoken';
import * as z from 'zod/mini';
import { signingKeySource } from './config.ts';
import { UnauthorizedError } from './errors.ts';

/** Who a valid token speaks for. */
export interface Identity {
  readonly userId: string;
  readonly username: string;
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresIn: number;
}

/** Resolves the HS256 signing key. Called per request; the key is fetched once per container. */
export type SigningKeyProvider = () => Promise<string>;

/** Keys shorter than this are refused: HS256 with a short secret can be brute-forced offline. */
const MIN_KEY_LENGTH = 32;

/**
 * The key comes from `JWT_SECRET` when set (the local stack and tests) and otherwise from the Secrets Manager
 * secret named by `JWT_SECRET_ARN` (the CDK stack), read on first use and kept for the container's lifetime.
 */
export function signingKeyFromEnvironment(): SigningKeyProvider {
  const source = signingKeySource();
  if ('key' in source) {
    const checked = checkKey(source.key, source.variable);
    return async () => checked;
  }
  const client = new SecretsManagerClient({});
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= client.send(new GetSecretValueCommand({ SecretId: source.secretArn })).then(
      (output) => checkKey(output.SecretString ?? '', 'the JWT signing secret'),
      (error: unknown) => {
        // Do not cache a failure: the next request tries again.
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

function checkKey(key: string, source: string): string {
  if (key.length < MIN_KEY_LENGTH) {
    throw new Error(`${source} must be at least ${MIN_KEY_LENGTH} characters long`);
  }
  return key;
}

/** Signs an HS256 access token for a user, valid for `ttlSeconds`. */
export function issueToken(key: string, identity: Identity, ttlSeconds: number): IssuedToken {
  const token = jwt.sign({ username: identity.username }, key, {
    algorithm: 'HS256',
    subject: identity.userId,
    expiresIn: ttlSeconds,
  });
  return { token, expiresIn: ttlSeconds };
}

const claimsSchema = z.object({
  sub: z.string().check(z.minLength(1), z.maxLength(64)),
  username: z.string().check(z.minLength(1), z.maxLength(64)),
  exp: z.int(),
  iat: z.optional(z.int()),
});

/**
 * Verifies a token and returns its identity. Only HS256 is accepted (so `alg: none` and RS256/HS256 confusion
 * are refused by jsonwebtoken itself), `exp` is required, `nbf` is honoured, and claims must have the types
 * this service writes. Every failure is the same 401.
 */
export function verifyToken(key: string, token: string): Identity {
  let payload: unknown;
  try {
    payload = jwt.verify(token, key, { algorithms: ['HS256'] });
  } catch {
    throw new UnauthorizedError('The token is invalid or has expired.');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    throw new UnauthorizedError('The token is invalid or has expired.');
  }
  return { userId: claims.data.sub, username: claims.data.username };
}

/** The token in an `Authorization: Bearer <token>` header value, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  return match?.[1];
}
