/**
 * Durations on the command line (`--for 10m`): a whole number and one unit, strictly. No package of the project
 * parses them, and the few forms needed do not justify one; anything else is refused rather than guessed.
 */
import { InvalidArgumentError } from 'commander';
import { limits } from '../../contract/limits.ts';

const SECONDS_PER_UNIT = { s: 1, m: 60, h: 60 * 60, d: 24 * 60 * 60 } as const;

/** What a duration looks like, for help texts and errors. */
export const DURATION_FORMS = 'a whole number and a unit: 30s, 10m, 2h, 1d';

/**
 * `30s`, `10m`, `2h` or `1d` as seconds, within the contract's bounds of a ban or a mute (1 second to 365 days).
 * Throws commander's `InvalidArgumentError` (a usage error) for anything else: `1.5h`, `10`, `1h30m`, `-1m`.
 */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})([smhd])$/.exec(text.trim());
  if (match === null) throw new InvalidArgumentError(`"${text}" is not a duration: give ${DURATION_FORMS}.`);
  const seconds = Number(match[1]) * SECONDS_PER_UNIT[match[2] as keyof typeof SECONDS_PER_UNIT];
  const { min, max } = limits.moderationSeconds;
  if (seconds < min || seconds > max) {
    throw new InvalidArgumentError(`"${text}" is out of range: from 1s to ${max / SECONDS_PER_UNIT.d}d.`);
  }
  return seconds;
}

/** Seconds as the largest whole unit that divides them: 7200 is `2h`, 90 is `90s`. */
export function formatDuration(seconds: number): string {
  for (const unit of ['d', 'h', 'm'] as const) {
    if (seconds % SECONDS_PER_UNIT[unit] === 0) return `${seconds / SECONDS_PER_UNIT[unit]}${unit}`;
  }
  return `${seconds}s`;
}
