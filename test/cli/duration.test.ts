/** The CLI's strict duration parser (`--for 10m`). */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../lib/client/cli/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['1s', 1],
    ['30s', 30],
    ['10m', 600],
    ['2h', 7_200],
    ['1d', 86_400],
    ['365d', 31_536_000],
    [' 5m ', 300],
  ])('reads %j as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '10', 'm', '1.5h', '1h30m', '-1m', '+1m', '1w', '1H', '10 m', '2 hours', '1e3s', 'Infinity'])(
    'refuses %j as not a duration',
    (text) => {
      expect(() => parseDuration(text)).toThrow(InvalidArgumentError);
      expect(() => parseDuration(text)).toThrow(/is not a duration: give a whole number and a unit/);
    },
  );

  it.each(['0s', '0d', '366d', '31536001s', '999999999d'])('refuses %j as out of range', (text) => {
    expect(() => parseDuration(text)).toThrow(/is out of range: from 1s to 365d/);
  });
});

describe('formatDuration', () => {
  it.each([
    [1, '1s'],
    [90, '90s'],
    [600, '10m'],
    [5_400, '90m'],
    [7_200, '2h'],
    [86_400, '1d'],
  ])('writes %d seconds as %j', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
