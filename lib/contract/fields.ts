import * as z from 'zod/mini';
import { isOneEmoji } from './emoji.ts';
import { CLIENT_MESSAGE_ID_PATTERN, limits, MESSAGE_ID_PATTERN } from './limits.ts';

/**
 * One schema per input field, with the contract's rules. The server parses every request with these (their
 * messages become `details[].problem`), the documents are generated from them, and a client may check input
 * before sending. Rules that JSON Schema cannot say from a check (byte lengths, lower-casing, "not only white
 * space") carry the nearest JSON Schema keywords in `z.meta`, so the published schema is as strict as it can be.
 * `zod/mini` is zod's tree-shakable build: the classic API would add about 450 KB to every function bundle.
 */

const utf8 = new TextEncoder();
const stringField = () => z.string({ error: 'must be a string' });
const between = (min: number, max: number, unit = 'characters') => `must be ${min} to ${max} ${unit}`;

const { usernameCharacters: nameLength, roomNameCharacters: roomLength } = limits;

export const username = stringField().check(
  z.minLength(nameLength.min, { error: between(nameLength.min, nameLength.max) }),
  z.maxLength(nameLength.max, { error: between(nameLength.min, nameLength.max) }),
  z.regex(/^[A-Za-z0-9_.-]+$/, { error: 'may contain only letters, digits, "_", "." and "-"' }),
);

export const email = stringField().check(
  z.maxLength(limits.emailCharacters.max, {
    error: `must be at most ${limits.emailCharacters.max} characters`,
  }),
  z.refine((value) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) && !value.endsWith('.'), {
    error: 'must be an email address with one "@" and a dot in the domain',
  }),
  z.meta({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' }),
);

const { passwordBytes } = limits;
export const password = stringField().check(
  z.refine((value) => utf8.encode(value).length >= passwordBytes.min, {
    error: `must be at least ${passwordBytes.min} bytes`,
  }),
  z.refine((value) => utf8.encode(value).length <= passwordBytes.max, {
    error: `must be at most ${passwordBytes.max} bytes of UTF-8 (bcrypt ignores the rest)`,
  }),
  // In characters, JSON Schema can only bound it loosely: 8 bytes need at least 2 characters, 72 bytes at most 72.
  z.meta({ minLength: 2, maxLength: passwordBytes.max, description: between(8, 72, 'bytes of UTF-8') }),
);

/**
 * A password as login and the account routes take it: any non-empty string whose UTF-8 is at most 72 bytes.
 * Longer ones are refused (400), never truncated; the registration rules are not restated, as they would tell
 * an attacker what cannot exist.
 */
export const givenPassword = stringField().check(
  z.minLength(1, { error: 'is required' }),
  z.refine((value) => utf8.encode(value).length <= passwordBytes.max, {
    error: `must be at most ${passwordBytes.max} bytes of UTF-8 (bcrypt ignores the rest)`,
  }),
  z.meta({ maxLength: passwordBytes.max }),
);

/** Room names are lower-cased before they are checked. */
export const roomName = z.pipe(
  stringField().check(z.meta({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$', maxLength: roomLength.max })),
  z.pipe(
    z.transform((value: string) => value.toLowerCase()),
    z.string().check(
      z.minLength(roomLength.min, { error: between(roomLength.min, roomLength.max) }),
      z.maxLength(roomLength.max, { error: between(roomLength.min, roomLength.max) }),
      z.regex(/^[a-z0-9][a-z0-9_-]*$/, {
        error: 'may contain only a-z, 0-9, "_" and "-", and must start with a letter or digit',
      }),
    ),
  ),
);

export const messageText = stringField().check(
  z.refine((value) => value.trim().length > 0, { error: 'must not be empty or only white space' }),
  z.refine((value) => [...value].length <= limits.maxTextCharacters, {
    error: `must be at most ${limits.maxTextCharacters} characters`,
  }),
  // JSON Schema counts characters as code points, as the refinement above does.
  z.meta({ minLength: 1, maxLength: limits.maxTextCharacters, pattern: '\\S' }),
);

export const clientMessageId = stringField().check(
  z.regex(CLIENT_MESSAGE_ID_PATTERN, {
    error: 'must be 1 to 64 characters of letters, digits, "_" and "-"',
  }),
  z.meta({ minLength: 1, maxLength: limits.clientMessageIdCharacters.max }),
);

/** A message id (a ULID), as a path parameter or `replyTo`. */
export const messageId = stringField().check(
  z.regex(MESSAGE_ID_PATTERN, { error: 'is not a message id' }),
  z.meta({ description: 'A message id (26 characters: a ULID).' }),
);

/** A reaction: one emoji (lib/contract/emoji.ts says what counts as one). */
export const emoji = stringField().check(
  z.refine(isOneEmoji, { error: 'must be one emoji (one grapheme: a pictograph, a flag or a keycap)' }),
  z.meta({
    minLength: 1,
    maxLength: limits.maxEmojiCodeUnits,
    description: 'One emoji, URL-encoded in the path.',
  }),
);

/** A conversation id as a client sends it back: opaque, but never long. */
export const conversationId = stringField().check(
  z.minLength(1, { error: 'is not a conversation id' }),
  z.maxLength(64, { error: 'is not a conversation id' }),
);

const { pageSize } = limits;
const pageSizeRule = `must be an integer from ${pageSize.min} to ${pageSize.max}`;
/** `?limit=`: 1..100, default 50. Query strings are text, so it is parsed from digits. */
export const pageLimit = z.pipe(
  z.optional(
    stringField().check(
      z.regex(/^\d{1,3}$/, { error: pageSizeRule }),
      // The exact set 1..100 as a pattern, so that a published schema refuses what the server refuses.
      z.meta({
        pattern: '^(100|[1-9][0-9]?)$',
        description: `Page size, ${pageSize.min} to ${pageSize.max}. Default ${pageSize.default}.`,
      }),
    ),
  ),
  z.pipe(
    z.transform((value: string | undefined) => (value === undefined ? pageSize.default : Number(value))),
    z
      .number()
      .check(z.gte(pageSize.min, { error: pageSizeRule }), z.lte(pageSize.max, { error: pageSizeRule })),
  ),
);

/** An opaque paging cursor, described for where it is passed. The server checks what it decodes to. */
export const cursorParameter = (description: string) =>
  stringField().check(
    z.regex(/^[A-Za-z0-9_-]{1,200}$/, { error: 'is not a valid cursor' }),
    z.meta({ description }),
  );

/** `?cursor=`: the `nextCursor` of the previous page. */
export const cursor = cursorParameter(
  'The `nextCursor` of the previous page (opaque). Omit for the first page.',
);

/** Control characters but for `\n`, and the bidirectional overrides and isolates (they make text lie about itself). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const UNSAFE_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** One line of at most `max` characters, with something visible in it. */
const visibleLine = (max: number) =>
  stringField().check(
    z.refine((value) => value.trim().length > 0, { error: 'must not be empty or only white space' }),
    z.refine((value) => [...value].length <= max, { error: `must be at most ${max} characters` }),
    z.refine((value) => !UNSAFE_CHARACTERS.test(value) && !value.includes('\n'), {
      error: 'must not contain control or bidirectional-override characters',
    }),
    z.meta({ minLength: 1, maxLength: max, pattern: '\\S' }),
  );

/** A room's topic: one line of at most 256 characters, with something visible in it. */
export const topic = visibleLine(limits.topicCharacters.max);

/** A group conversation's title: one line of at most 100 characters (the topic's rules). */
export const groupTitle = visibleLine(limits.groupTitleCharacters.max);

/** The reason given for a ban: one line of at most 256 characters (the topic's rules). */
export const banReason = stringField().check(
  z.refine((value) => [...value].length <= limits.banReasonCharacters.max, {
    error: `must be at most ${limits.banReasonCharacters.max} characters`,
  }),
  z.refine((value) => !UNSAFE_CHARACTERS.test(value) && !value.includes('\n'), {
    error: 'must not contain control or bidirectional-override characters',
  }),
  z.meta({ maxLength: limits.banReasonCharacters.max }),
);

/** How long a ban or a mute lasts, in whole seconds; without it, until lifted. */
export const moderationSeconds = z
  .int({ error: 'must be a whole number of seconds' })
  .check(
    z.gte(limits.moderationSeconds.min, { error: `must be at least ${limits.moderationSeconds.min}` }),
    z.lte(limits.moderationSeconds.max, { error: `must be at most ${limits.moderationSeconds.max}` }),
  );

/** Who can see a room: anyone (`public`), or its members only (`private`, joined by invitation). */
export const visibility = z.enum(['public', 'private']);

/** A member's role in a room, highest first. */
export const roomRole = z.enum(['owner', 'moderator', 'member']);
