import * as z from 'zod/mini';
import { cursor, pageLimit } from './fields.ts';
import { limits } from './limits.ts';
import { pageOf, published } from './objects.ts';
import type { HttpRouteSpec } from './route-spec.ts';

const { usernameCharacters, searchPrefixCharacters } = limits;
const prefixRule = `must be ${searchPrefixCharacters.min} to ${usernameCharacters.max} letters, digits, "_", "." or "-"`;

/** What a username starts with: at least 2 of its characters, so that a search never lists everyone. */
const usernamePrefix = z.string({ error: 'is required' }).check(
  z.regex(new RegExp(`^[A-Za-z0-9_.-]{${searchPrefixCharacters.min},${usernameCharacters.max}}$`), {
    error: prefixRule,
  }),
  z.meta({ description: 'The start of a username, any case: 2 characters at least.' }),
);

const userSummary = published('UserSummary', z.object({ username: z.string() }));

/** Finding users to talk to. */
export const userRoutes = {
  'GET /users': {
    method: 'GET',
    path: '/users',
    auth: true,
    operationId: 'searchUsers',
    tag: 'conversations',
    summary: 'Find users by the start of their username',
    description:
      'Case-insensitive, sorted by username. Only usernames are answered, never anything else about a user.',
    query: z.object({ prefix: usernamePrefix, limit: pageLimit, cursor: z.optional(cursor) }),
    responses: {
      200: { schema: published('UserPage', pageOf('users', userSummary)), description: 'A page of users.' },
    },
    errors: [],
  },
} as const satisfies Record<string, HttpRouteSpec>;
