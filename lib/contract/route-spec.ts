import * as z from 'zod/mini';
import type { HttpErrorCode } from './errors.ts';
import { cursor, pageLimit, roomName } from './fields.ts';

/** One success answer of a route: its body schema (none for 204), and what it means. */
export interface Success {
  readonly schema?: z.ZodMiniType;
  readonly description: string;
}

/** One HTTP route of the contract. */
export interface HttpRouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `/rooms/{name}/messages`. */
  readonly path: string;
  /** Whether `Authorization: Bearer <token>` is required. */
  readonly auth: boolean;
  readonly operationId: string;
  readonly tag: 'auth' | 'rooms' | 'conversations';
  readonly summary: string;
  readonly description?: string;
  /** Path parameters, by name; every `{name}` of the path has one. */
  readonly params?: z.ZodMiniObject;
  readonly query?: z.ZodMiniObject;
  /** The JSON body of a POST (published under its own name). */
  readonly body?: z.ZodMiniObject;
  /** The success answers, by status. */
  readonly responses: Readonly<Record<number, Success>>;
  /**
   * The codes of this route's own failures. The ones every route of its kind can meet are added by `errorsOf`:
   * 400 for bad input, 401 on authenticated routes, 413 with a body, 500 and 503 everywhere.
   */
  readonly errors: readonly HttpErrorCode[];
}

/** An object with one field: `{user: User}`, `{message: Message}`. */
export const one = <Key extends string, Schema extends z.ZodMiniType>(key: Key, schema: Schema) =>
  z.object({ [key]: schema } as { [K in Key]: Schema });

/** The query of a paged list: `?limit&cursor`. */
export const listQuery = z.object({ limit: pageLimit, cursor: z.optional(cursor) });

/** The path parameters of a room's routes. */
export const roomParams = z.object({ name: roomName });
