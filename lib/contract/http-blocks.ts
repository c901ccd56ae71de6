import * as z from 'zod/mini';
import { cursor, pageLimit, username } from './fields.ts';
import { block, pageOf, published } from './objects.ts';
import type { HttpRouteSpec } from './route-spec.ts';

const blockParams = z.object({ username });
const done = { description: 'Done: no body.' };

/** Blocking (`/me/blocks/…`): a blocked user cannot reach the blocker in a direct conversation. */
export const blockRoutes = {
  'PUT /me/blocks/{username}': {
    method: 'PUT',
    path: '/me/blocks/{username}',
    auth: true,
    operationId: 'blockUser',
    tag: 'conversations',
    summary: 'Block a user',
    description:
      'From now on the user cannot open a direct conversation with the caller, nor send in an existing one (403 `BLOCKED`). Blocking twice is blocking once; rooms are not affected.',
    params: blockParams,
    responses: { 204: done },
    errors: ['USER_NOT_FOUND'],
  },
  'DELETE /me/blocks/{username}': {
    method: 'DELETE',
    path: '/me/blocks/{username}',
    auth: true,
    operationId: 'unblockUser',
    tag: 'conversations',
    summary: 'Unblock a user',
    description: 'Unblocking a user who is not blocked changes nothing and answers 204 too.',
    params: blockParams,
    responses: { 204: done },
    errors: [],
  },
  'GET /me/blocks': {
    method: 'GET',
    path: '/me/blocks',
    auth: true,
    operationId: 'listBlocks',
    tag: 'conversations',
    summary: 'List the users I block, by username',
    query: z.object({ limit: pageLimit, cursor: z.optional(cursor) }),
    responses: {
      200: { schema: published('BlockPage', pageOf('blocks', block)), description: 'A page of blocks.' },
    },
    errors: [],
  },
} as const satisfies Record<string, HttpRouteSpec>;
