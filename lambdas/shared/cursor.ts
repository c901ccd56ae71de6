import { ValidationError } from './errors.ts';

/**
 * Cursors are opaque to clients but carry only a sort-key value (a room name, a message id...), never a
 * whole DynamoDB key: the partition always comes from the request itself, and the value is checked against
 * the pattern of what it stands for, so a forged cursor cannot point at another partition.
 */
export function encodeCursor(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/** Decodes a cursor; `undefined` in, `undefined` out. A malformed cursor is a 400, never a 500. */
export function decodeCursor(
  cursor: string | undefined,
  pattern: RegExp,
  field = 'cursor',
): string | undefined {
  if (cursor === undefined) return undefined;
  const value = /^[A-Za-z0-9_-]{1,200}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (!pattern.test(value)) {
    throw new ValidationError([{ field, problem: 'is not a valid cursor' }]);
  }
  return value;
}
