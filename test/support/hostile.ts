/**
 * fast-check arbitraries for hostile input, shared by the files of test/reliability that throw it at the local
 * stack: strings shaped like keys or prototype names, control and bidirectional characters, huge values, any
 * JSON, printable header text and content types. Each file adds the names of its own fixtures.
 */
import fc from 'fast-check';

/** Key shapes, prototype names, path tricks, injections, look-alikes, NUL and a bidirectional override. */
export const KEYISH = [
  'ROOM#x',
  'USER#alice',
  'CONN#abc',
  'EMAIL#a@b.io',
  'SESSION#abc',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '#',
  '..',
  '../../etc/passwd',
  'null',
  'undefined',
  "' OR '1'='1",
  'ＲＯＯＭ＃x',
  'général',
  '🙂🙂',
  '\u0000',
  '\u202e',
] as const;

/**
 * Strings a client might send where an identifier is expected: the key shapes above and `keyish` (the file's
 * own keys of other users' data), any text, huge text, and `names` (the file's real names, weighted lower).
 */
export function hostileStrings(keyish: readonly string[] = [], names: readonly string[] = []) {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...KEYISH, ...keyish) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 80, unit: 'grapheme' }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 80, unit: 'binary' }) },
    { weight: 1, arbitrary: fc.integer({ min: 60, max: 6_000 }).map((n) => 'x'.repeat(n)) },
    ...(names.length > 0 ? [{ weight: 1, arbitrary: fc.constantFrom(...names) }] : []),
  );
}

/** Any JSON value, or a hostile string, for a field. */
export function hostileValues(strings: fc.Arbitrary<string>) {
  return fc.oneof(
    { weight: 3, arbitrary: strings },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(null, true, 0, -1, 1e308, [], {}, ['a'], { S: 'x' }) },
  );
}

/** Bodies that are not one JSON object: empty, cut, scalars, an infinite number, trailing junk, a BOM. */
export const NOT_AN_OBJECT = ['', '{', 'null', '[]', '"text"', '1e999', '{"a":1}}', '\uFEFF{}'] as const;

/** A header value node can send: printable ASCII. */
export const headerText = fc.string({ maxLength: 200, unit: 'grapheme-ascii' });

/** A request's content type: mostly JSON, sometimes another, a charset JSON does not use, or none. */
export const hostileContentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json',
  'text/plain',
  'application/octet-stream',
  'application/json; charset=utf-16',
  undefined,
);

/** `Authorization` headers that do not carry `token` properly: junk, empty and other schemes. */
export function forgedAuthorization(token: string) {
  return fc.oneof(
    { weight: 1, arbitrary: headerText },
    { weight: 1, arbitrary: headerText.map((text) => `Bearer ${text}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('Bearer', 'Bearer ', 'Basic YWxpY2U6cGFzcw==', `bearer  ${token}`, token),
    },
  );
}
