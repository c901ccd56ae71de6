import { limits } from './limits.ts';

/**
 * What counts as one emoji for a reaction. A reaction is one grapheme (as `Intl.Segmenter` splits text, so a
 * ZWJ family, a flag or a skin-toned hand is one) made only of emoji code points (`Extended_Pictographic`, and
 * the `Emoji_Component`s that build sequences: ZWJ, variation selector 16, skin tones, tags, keycap), and it must
 * be a real emoji: it holds a pictographic code point, or it is a flag (two regional indicators) or a keycap
 * (`#`, `*` or a digit, then U+20E3). So `a`, `1`, `#`, a lone skin tone, a lone regional indicator and two
 * emoji side by side are all refused.
 */
const EMOJI_CODE_POINTS = /^[\p{Extended_Pictographic}\p{Emoji_Component}]+$/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const FLAG = /^\p{Regional_Indicator}{2}$/u;
const KEYCAP = /^[0-9#*]\uFE0F?\u20E3$/u;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Whether `value` is exactly one emoji, as reactions take it. */
export function isOneEmoji(value: string): boolean {
  if (value.length === 0 || value.length > limits.maxEmojiCodeUnits) return false;
  if (!EMOJI_CODE_POINTS.test(value)) return false;
  const segments = [...graphemes.segment(value)];
  if (segments.length !== 1) return false;
  return PICTOGRAPHIC.test(value) || FLAG.test(value) || KEYCAP.test(value);
}
