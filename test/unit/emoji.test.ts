import { describe, expect, it } from 'vitest';
import { isOneEmoji } from '../../lib/contract/emoji.ts';

describe('one emoji, as reactions take it', () => {
  it.each([
    ['👍', 'a pictograph'],
    ['👋🏽', 'with a skin tone'],
    ['👨‍👩‍👧‍👦', 'a ZWJ family'],
    ['🇫🇷', 'a flag'],
    ['#️⃣', 'a keycap'],
    ['1⃣', 'a keycap without the variation selector'],
    ['❤️', 'with variation selector 16'],
    ['🏴󠁧󠁢󠁳󠁣󠁴󠁿', 'a tag sequence (Scotland)'],
    ['©', 'a text-style pictograph'],
  ])('takes %s (%s)', (value) => {
    expect(isOneEmoji(value)).toBe(true);
  });

  it.each([
    ['', 'nothing'],
    ['a', 'a letter'],
    ['1', 'a digit'],
    ['#', 'a number sign'],
    ['🏻', 'a skin tone alone'],
    ['🇫', 'one regional indicator'],
    ['🇫🇷🇩🇪', 'two flags'],
    ['👍👍', 'two emoji'],
    ['👍 ', 'an emoji and a space'],
    ['👍\u202e', 'an emoji and a bidirectional override'],
    ['\u200d', 'a joiner alone'],
    ['é', 'a letter with an accent'],
    ['👍'.repeat(40), 'far too long'],
  ])('refuses %j (%s)', (value) => {
    expect(isOneEmoji(value)).toBe(false);
  });
});
