import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  issueToken,
  keyIdOf,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  verifyToken,
} from '../../lambdas/shared/tokens.ts';

const key = 'unit-test-signing-key-with-enough-length!';
const identity = { userId: 'u-1', username: 'Alice', sessionId: 'session-1' };
/** What the server writes besides the identity: a token lacking one of these is refused. */
const signed = (claims: object, options: jwt.SignOptions = {}) =>
  jwt.sign({ username: 'Alice', sid: 'session-1', ...claims }, key, {
    subject: 'u-1',
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    keyid: keyIdOf(key),
    expiresIn: 60,
    ...options,
  });

const refused = (token: string) => {
  expect(() => verifyToken(key, token)).toThrow(
    expect.objectContaining({ status: 401, code: 'UNAUTHORIZED' }),
  );
};

describe('tokens', () => {
  it('round-trips an identity through an HS256 token with an expiry', () => {
    const { token, expiresIn } = issueToken(key, identity, 600);

    expect(verifyToken(key, token)).toEqual(identity);
    const decoded = jwt.decode(token, { complete: true }) as jwt.Jwt;
    const payload = decoded.payload as jwt.JwtPayload;
    expect(decoded.header.alg).toBe('HS256');
    expect(decoded.header.kid).toBe(keyIdOf(key));
    expect(payload).toMatchObject({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, sid: 'session-1' });
    expect(payload.exp).toBe((payload.iat ?? 0) + expiresIn);
  });

  it('accepts a token built by hand with every claim (the control of the cases below)', () => {
    expect(verifyToken(key, signed({}))).toEqual(identity);
  });

  it('refuses another issuer, another audience, an unknown or missing kid, and a missing sid', () => {
    refused(signed({}, { issuer: 'someone-else' }));
    refused(signed({}, { audience: 'another-api' }));
    refused(signed({}, { keyid: 'unknown-key' }));
    const { kid: _kid, ...headerWithoutKid } = jwt.decode(signed({}), { complete: true })?.header ?? {};
    refused(
      jwt.sign({ username: 'Alice', sid: 'session-1' }, key, {
        subject: 'u-1',
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        expiresIn: 60,
        header: headerWithoutKid as jwt.JwtHeader,
      }),
    );
    refused(
      jwt.sign({ username: 'Alice' }, key, {
        subject: 'u-1',
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        keyid: keyIdOf(key),
        expiresIn: 60,
      }),
    );
    refused(signed({ sid: 'not#a session' }));
  });

  it('refuses alg:none, another key, an expired token and a future nbf', () => {
    const now = Math.floor(Date.now() / 1000);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'u-1', username: 'Alice', exp: now + 60 }),
    ).toString('base64url')}.`;

    refused(none);
    refused(jwt.sign({ username: 'Alice' }, `${key}-other`, { subject: 'u-1', expiresIn: 60 }));
    refused(jwt.sign({ username: 'Alice', exp: now - 1 }, key, { subject: 'u-1' }));
    refused(jwt.sign({ username: 'Alice', nbf: now + 600 }, key, { subject: 'u-1', expiresIn: 900 }));
  });

  it('refuses an HS384 token signed with the right key (only HS256 is accepted)', () => {
    refused(jwt.sign({ username: 'Alice' }, key, { algorithm: 'HS384', subject: 'u-1', expiresIn: 60 }));
  });

  it('refuses correctly signed tokens whose claims are missing or of the wrong type', () => {
    refused(jwt.sign({ username: 'Alice' }, key, { subject: 'u-1' })); // no exp
    refused(jwt.sign({ username: 42 }, key, { subject: 'u-1', expiresIn: 60 }));
    refused(jwt.sign({}, key, { subject: 'u-1', expiresIn: 60 }));
    refused(jwt.sign({ username: 'Alice' }, key, { expiresIn: 60 })); // no sub
  });

  it('refuses garbage', () => {
    refused('');
    refused('not.a.token');
    refused('a.b');
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header, in any case of the scheme', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('returns undefined for other schemes and malformed values', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
  });
});
