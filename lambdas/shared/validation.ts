import type * as z from 'zod/mini';
import type { httpRoutes } from '../../lib/contract/index.ts';
import { type ErrorDetail, ValidationError } from './errors.ts';

/**
 * Validation at the edge: the schemas are the contract's (lib/contract); this module turns their failures into
 * the contract's `details`. The inferred types are the domain's input types, so what reaches the domain has
 * always been through here.
 */

export type RegisterInput = z.output<(typeof httpRoutes)['POST /auth/register']['body']>;
export type LoginInput = z.output<(typeof httpRoutes)['POST /auth/login']['body']>;
export type ChangePasswordInput = z.output<(typeof httpRoutes)['POST /auth/password']['body']>;
export type DeleteAccountInput = z.output<(typeof httpRoutes)['DELETE /auth/me']['body']>;
export type PostMessageInput = z.output<(typeof httpRoutes)['POST /rooms/{name}/messages']['body']>;

/** Turns a zod failure into the contract's `details`; a problem with the input as a whole is the `body`'s. */
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
