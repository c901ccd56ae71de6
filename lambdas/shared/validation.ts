import * as z from 'zod/mini';
import { type ErrorDetail, ValidationError } from './errors.ts';

/**
 * One schema per input, written from PROTOCOL.md's field rules. The inferred types are the domain's input
 * types, so what reaches the domain has always been through here. `zod/mini` is zod's tree-shakable build:
 * the classic API would add about 450 KB (its locales) to every function bundle.
 */

const utf8 = new TextEncoder();
const stringField = () => z.string({ error: 'must be a string' });

export const username = stringField().check(
  z.minLength(3, { error: 'must be 3 to 32 characters' }),
  z.maxLength(32, { error: 'must be 3 to 32 characters' }),
  z.regex(/^[A-Za-z0-9_.-]+$/, { error: 'may contain only letters, digits, "_", "." and "-"' }),
);

export const email = stringField().check(
  z.maxLength(254, { error: 'must be at most 254 characters' }),
  z.refine((value) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) && !value.endsWith('.'), {
    error: 'must be an email address with one "@" and a dot in the domain',
  }),
);

export const password = stringField().check(
  z.refine((value) => utf8.encode(value).length >= 8, { error: 'must be at least 8 bytes' }),
  z.refine((value) => utf8.encode(value).length <= 72, {
    error: 'must be at most 72 bytes of UTF-8 (bcrypt ignores the rest)',
  }),
);

/** What a room name is, once lower-cased; also what a room-name cursor may decode to. */
export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Room names are lower-cased before they are checked. */
export const roomName = z.pipe(
  stringField(),
  z.pipe(
    z.transform((value: string) => value.toLowerCase()),
    z.string().check(
      z.minLength(1, { error: 'must be 1 to 64 characters' }),
      z.maxLength(64, { error: 'must be 1 to 64 characters' }),
      z.regex(/^[a-z0-9][a-z0-9_-]*$/, {
        error: 'may contain only a-z, 0-9, "_" and "-", and must start with a letter or digit',
      }),
    ),
  ),
);

export const messageText = stringField().check(
  z.refine((value) => value.trim().length > 0, { error: 'must not be empty or only white space' }),
  z.refine((value) => [...value].length <= 4000, { error: 'must be at most 4000 characters' }),
);

export const clientMessageId = stringField().check(
  z.minLength(1, { error: 'must be 1 to 64 characters' }),
  z.maxLength(64, { error: 'must be 1 to 64 characters' }),
  z.regex(/^[A-Za-z0-9_-]+$/, { error: 'may contain only letters, digits, "_" and "-"' }),
);

export const registerInput = z.object({ username, email, password });
export type RegisterInput = z.infer<typeof registerInput>;

/** Login checks only types and sizes: the rules of registration would tell an attacker what cannot exist. */
export const loginInput = z.object({
  username: stringField().check(
    z.minLength(1, { error: 'is required' }),
    z.maxLength(254, { error: 'is too long' }),
  ),
  password: stringField().check(
    z.minLength(1, { error: 'is required' }),
    z.maxLength(1024, { error: 'is too long' }),
  ),
});
export type LoginInput = z.infer<typeof loginInput>;

export const createRoomInput = z.object({ name: roomName });
export type CreateRoomInput = z.infer<typeof createRoomInput>;

export const postMessageInput = z.object({ text: messageText, clientMessageId: z.optional(clientMessageId) });
export type PostMessageInput = z.infer<typeof postMessageInput>;

export const createConversationInput = z.object({ peer: username });
export type CreateConversationInput = z.infer<typeof createConversationInput>;

/** `?limit=` is 1..100, default 50. */
export const limit = z.pipe(
  z.optional(stringField().check(z.regex(/^\d{1,3}$/, { error: 'must be an integer from 1 to 100' }))),
  z.pipe(
    z.transform((value: string | undefined) => (value === undefined ? 50 : Number(value))),
    z
      .number()
      .check(
        z.gte(1, { error: 'must be an integer from 1 to 100' }),
        z.lte(100, { error: 'must be an integer from 1 to 100' }),
      ),
  ),
);

/** `?limit=&cursor=` of list routes. */
export const listQuery = z.object({ limit, cursor: z.optional(stringField()) });

/** `?limit=&before=` of history routes. */
export const historyQuery = z.object({ limit, before: z.optional(stringField()) });

/** `{"action":"join"|"leave","room"}` */
export const roomFrame = z.object({ room: roomName });

/** `{"action":"message","room"|"conversationId","text","clientMessageId"?}`: exactly one target. */
export const messageFrame = z
  .object({
    room: z.optional(roomName),
    conversationId: z.optional(stringField().check(z.maxLength(64, { error: 'is not a conversation id' }))),
    text: messageText,
    clientMessageId: z.optional(clientMessageId),
  })
  .check(
    z.refine((frame) => (frame.room === undefined) !== (frame.conversationId === undefined), {
      error: 'give either "room" or "conversationId", not both',
      path: ['room'],
    }),
  );

/** What a message-history cursor may decode to: a ULID. */
export const MESSAGE_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Turns a zod failure into the contract's `details`. */
export function detailsOf(error: z.core.$ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : 'body',
    problem: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
  }));
}

/** Parses `input` with `schema`, or throws a `ValidationError` listing every problem. */
export function parse<Schema extends z.ZodMiniType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ValidationError(detailsOf(result.error));
  }
  return result.data;
}
