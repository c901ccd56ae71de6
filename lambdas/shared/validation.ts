import { z } from 'zod';
import { type ErrorDetail, ValidationError } from './errors.ts';

/**
 * One schema per input, written from PROTOCOL.md's field rules. The inferred types are the domain's input
 * types, so what reaches the domain has always been through here.
 */

const utf8 = new TextEncoder();

export const username = z
  .string({ error: 'must be a string' })
  .min(3, { error: 'must be 3 to 32 characters' })
  .max(32, { error: 'must be 3 to 32 characters' })
  .regex(/^[A-Za-z0-9_.-]+$/, { error: 'may contain only letters, digits, "_", "." and "-"' });

export const email = z
  .string({ error: 'must be a string' })
  .max(254, { error: 'must be at most 254 characters' })
  .refine((value) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value) && !value.endsWith('.'), {
    error: 'must be an email address with one "@" and a dot in the domain',
  });

export const password = z
  .string({ error: 'must be a string' })
  .refine((value) => utf8.encode(value).length >= 8, { error: 'must be at least 8 bytes' })
  .refine((value) => utf8.encode(value).length <= 72, {
    error: 'must be at most 72 bytes of UTF-8 (bcrypt ignores the rest)',
  });

/** Room names are lower-cased before they are checked. */
export const roomName = z
  .string({ error: 'must be a string' })
  .transform((value) => value.toLowerCase())
  .pipe(
    z
      .string()
      .min(1, { error: 'must be 1 to 64 characters' })
      .max(64, { error: 'must be 1 to 64 characters' })
      .regex(/^[a-z0-9][a-z0-9_-]*$/, {
        error: 'may contain only a-z, 0-9, "_" and "-", and must start with a letter or digit',
      }),
  );

export const messageText = z
  .string({ error: 'must be a string' })
  .refine((value) => value.trim().length > 0, { error: 'must not be empty or only white space' })
  .refine((value) => [...value].length <= 4000, { error: 'must be at most 4000 characters' });

export const clientMessageId = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must be 1 to 64 characters' })
  .max(64, { error: 'must be 1 to 64 characters' })
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'may contain only letters, digits, "_" and "-"' });

export const registerInput = z.object({ username, email, password });
export type RegisterInput = z.infer<typeof registerInput>;

/** Login checks only types and sizes: the rules of registration would tell an attacker what cannot exist. */
export const loginInput = z.object({
  username: z.string({ error: 'must be a string' }).min(1, { error: 'is required' }).max(254),
  password: z.string({ error: 'must be a string' }).min(1, { error: 'is required' }).max(1024),
});
export type LoginInput = z.infer<typeof loginInput>;

export const createRoomInput = z.object({ name: roomName });
export type CreateRoomInput = z.infer<typeof createRoomInput>;

export const postMessageInput = z.object({ text: messageText, clientMessageId: clientMessageId.optional() });
export type PostMessageInput = z.infer<typeof postMessageInput>;

export const createConversationInput = z.object({ peer: username });
export type CreateConversationInput = z.infer<typeof createConversationInput>;

/** `?limit=` is 1..100, default 50. */
export const limit = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined) return 50;
    const parsed = Number(value);
    if (!/^\d{1,3}$/.test(value) || parsed < 1 || parsed > 100) {
      context.addIssue({ code: 'custom', message: 'must be an integer from 1 to 100' });
      return z.NEVER;
    }
    return parsed;
  });

/** Turns a zod failure into the contract's `details`. */
export function detailsOf(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : 'body',
    problem: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
  }));
}

/** Parses `input` with `schema`, or throws a `ValidationError` listing every problem. */
export function parse<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ValidationError(detailsOf(result.error));
  }
  return result.data;
}

/** `?limit=&cursor=` of list routes. */
export const listQuery = z.object({ limit, cursor: z.string().optional() });

/** `?limit=&before=` of history routes. */
export const historyQuery = z.object({ limit, before: z.string().optional() });

/** What a room-name cursor may decode to. */
export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** `{"action":"join"|"leave","room"}` */
export const roomFrame = z.object({ room: roomName });

/** `{"action":"message","room"|"conversationId","text","clientMessageId"?}`: exactly one target. */
export const messageFrame = z
  .object({
    room: roomName.optional(),
    conversationId: z
      .string({ error: 'must be a string' })
      .max(64, { error: 'is not a conversation id' })
      .optional(),
    text: messageText,
    clientMessageId: clientMessageId.optional(),
  })
  .refine((frame) => (frame.room === undefined) !== (frame.conversationId === undefined), {
    error: 'give either "room" or "conversationId", not both',
    path: ['room'],
  });

/** What a message-history cursor may decode to: a ULID. */
export const MESSAGE_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
