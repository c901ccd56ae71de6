import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../data/client.ts';
import { SessionRepository } from '../data/sessions.ts';
import { authenticate, type SessionDeps } from '../domain/sessions.ts';
import { sessionTtlSeconds, tableName, tokenTtlSeconds } from '../shared/config.ts';
import { type Authenticator, signingKeyFromEnvironment } from '../shared/tokens.ts';

/**
 * What starting, refreshing and checking sessions needs, built once per container: the sessions, the signing
 * key (read on first use) and the lifetimes. Building it only creates clients; nothing is fetched.
 */
export function buildSessionDeps(doc: DynamoDBDocumentClient): SessionDeps {
  return {
    sessions: new SessionRepository(doc, tableName()),
    signingKey: signingKeyFromEnvironment(),
    tokenTtlSeconds: tokenTtlSeconds(),
    sessionTtlSeconds: sessionTtlSeconds(),
    now: () => new Date(),
  };
}

/**
 * The authenticator of a function's bearer tokens: the signature and claims, then the token's session, read
 * (strongly consistent, 1 RCU) for every authenticated request.
 */
export function buildAuthenticator(doc: DynamoDBDocumentClient = createDocumentClient()): Authenticator {
  const deps = buildSessionDeps(doc);
  return (token) => authenticate(deps, token);
}
