/**
 * The OpenAPI 3.1 document of the HTTP API, built from the route table (paths, methods, who must sign in) and the
 * handlers' own zod input schemas (request bodies, query strings), so that it cannot drift from either. Response
 * bodies are described here from PROTOCOL.md. `npm run openapi` writes it to docs/openapi.json, and an infra test
 * fails when the committed file differs from what this module builds.
 */
import { z } from 'zod';
import {
  createConversationInput,
  createRoomInput,
  historyQuery,
  listQuery,
  loginInput,
  postMessageInput,
  registerInput,
} from '../lambdas/shared/validation.ts';
import { type HttpRoute, httpRouteKey, httpRoutes } from './routes.ts';

/** Where the generated document is committed, relative to the repository root. */
export const OPENAPI_DOCUMENT_PATH = 'docs/openapi.json';

/** The name of the bearer security scheme that authenticated operations require. */
export const BEARER_SCHEME = 'bearerAuth';

type JsonSchema = Record<string, unknown>;

/** A request body: the component it is published as, and the schema the handler parses it with. */
interface RequestBodySpec {
  readonly component: string;
  readonly schema: z.core.$ZodType;
}

/**
 * The body each route's handler parses, by route key. Every POST route must be here (a test checks it), and
 * the schema must be the one the handler passes to `parse`.
 */
export const requestBodies: Readonly<Record<string, RequestBodySpec>> = {
  'POST /auth/register': { component: 'RegisterRequest', schema: registerInput },
  'POST /auth/login': { component: 'LoginRequest', schema: loginInput },
  'POST /rooms': { component: 'CreateRoomRequest', schema: createRoomInput },
  'POST /rooms/{name}/messages': { component: 'PostMessageRequest', schema: postMessageInput },
  'POST /conversations': { component: 'CreateConversationRequest', schema: createConversationInput },
  'POST /conversations/{id}/messages': { component: 'PostMessageRequest', schema: postMessageInput },
};

/** The query string each route's handler parses, by route key. */
export const queryStrings: Readonly<Record<string, z.core.$ZodType>> = {
  'GET /rooms': listQuery,
  'GET /rooms/{name}/messages': historyQuery,
  'GET /conversations': listQuery,
  'GET /conversations/{id}/messages': historyQuery,
};

/** What query and path parameters mean (the schemas say what they may hold). */
const parameterDescriptions: Readonly<Record<string, string>> = {
  limit: 'Page size, 1 to 100. Default 50.',
  cursor: 'The `nextCursor` of the previous page (opaque). Omit for the first page.',
  before:
    'The `nextCursor` of the previous (newer) page (opaque): the page holds the messages sent before it. Omit for the most recent messages.',
  name: 'The room name (lower-cased before it is looked up).',
  id: 'The conversation id, as returned by `POST /conversations` or `GET /conversations`.',
};

/** The error codes of HTTP responses (PROTOCOL.md, "Common rules"). */
export const HTTP_ERROR_CODES = [
  'INVALID_JSON',
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'INVALID_CREDENTIALS',
  'NOT_FOUND',
  'USER_NOT_FOUND',
  'ROOM_NOT_FOUND',
  'CONVERSATION_NOT_FOUND',
  'ACCOUNT_EXISTS',
  'ROOM_EXISTS',
  'PAYLOAD_TOO_LARGE',
  'INTERNAL',
  'UNAVAILABLE',
] as const;
type ErrorCode = (typeof HTTP_ERROR_CODES)[number];

interface ErrorSpec {
  readonly codes: readonly ErrorCode[];
  readonly description: string;
}

interface SuccessSpec {
  readonly description: string;
  /** A component schema name. */
  readonly schema: string;
}

/** What the contract says about one operation, beyond what the route table and the input schemas say. */
interface OperationSpec {
  readonly operationId: string;
  readonly tag: 'auth' | 'rooms' | 'conversations';
  readonly summary: string;
  readonly description?: string;
  readonly success: Readonly<Record<string, SuccessSpec>>;
  /**
   * Errors specific to this operation, by status. 400 (bad input), 401 (no valid token, on authenticated
   * routes), 413, 429, 500 and 503 are added where they apply.
   */
  readonly errors?: Readonly<Record<string, ErrorSpec>>;
}

/** The operations by route key. Every route of `httpRoutes` must be here, and nothing else. */
const operations: Readonly<Record<string, OperationSpec>> = {
  'POST /auth/register': {
    operationId: 'register',
    tag: 'auth',
    summary: 'Create an account',
    description:
      'Usernames and e-mail addresses are unique regardless of case; the case given is kept for display.',
    success: { '201': { description: 'The account was created.', schema: 'UserResponse' } },
    errors: {
      '409': {
        codes: ['ACCOUNT_EXISTS'],
        description: 'The username or the e-mail address is taken (no hint which).',
      },
    },
  },
  'POST /auth/login': {
    operationId: 'login',
    tag: 'auth',
    summary: 'Sign in and get an access token',
    description:
      'The username may be given in any case. An unknown user and a wrong password get the same answer. Send the token as `Authorization: Bearer <token>` (HTTP) or `?token=<token>` (WebSocket).',
    success: { '200': { description: 'Signed in.', schema: 'LoginResponse' } },
    errors: {
      '401': {
        codes: ['INVALID_CREDENTIALS'],
        description: 'Unknown user or wrong password (one answer for both).',
      },
    },
  },
  'GET /auth/me': {
    operationId: 'getMe',
    tag: 'auth',
    summary: 'The signed-in user',
    success: { '200': { description: 'The account of the token.', schema: 'UserResponse' } },
  },
  'GET /rooms': {
    operationId: 'listRooms',
    tag: 'rooms',
    summary: 'List rooms, sorted by name',
    success: { '200': { description: 'A page of rooms.', schema: 'RoomPage' } },
  },
  'POST /rooms': {
    operationId: 'createRoom',
    tag: 'rooms',
    summary: 'Create a room',
    description: 'The name is lower-cased before it is checked and stored.',
    success: { '201': { description: 'The room was created.', schema: 'RoomResponse' } },
    errors: { '409': { codes: ['ROOM_EXISTS'], description: 'A room of that name exists.' } },
  },
  'GET /rooms/{name}/messages': {
    operationId: 'listRoomMessages',
    tag: 'rooms',
    summary: 'Read the history of a room',
    description:
      'A page holds the `limit` most recent messages older than `before`, oldest first; `nextCursor` fetches the page before it and is null at the beginning. Any signed-in user may read any room.',
    success: { '200': { description: 'A page of messages, oldest first.', schema: 'MessagePage' } },
    errors: { '404': { codes: ['ROOM_NOT_FOUND'], description: 'There is no such room.' } },
  },
  'POST /rooms/{name}/messages': {
    operationId: 'postRoomMessage',
    tag: 'rooms',
    summary: 'Send a message to a room',
    description:
      'The message is stored and pushed to the connections that joined the room. Sending the same `clientMessageId` again returns the first message (200) without storing or delivering it twice.',
    success: {
      '201': { description: 'The message was stored and sent.', schema: 'MessageResponse' },
      '200': {
        description: 'A repeat of a `clientMessageId`: the first message.',
        schema: 'MessageResponse',
      },
    },
    errors: { '404': { codes: ['ROOM_NOT_FOUND'], description: 'There is no such room.' } },
  },
  'POST /conversations': {
    operationId: 'openConversation',
    tag: 'conversations',
    summary: 'Open the direct conversation with another user',
    description:
      'There is one conversation per pair of users: opening it again returns the existing one (200). The peer may be given in any case; naming yourself is 400 VALIDATION_FAILED.',
    success: {
      '201': { description: 'The conversation was created.', schema: 'ConversationResponse' },
      '200': { description: 'The existing conversation of the pair.', schema: 'ConversationResponse' },
    },
    errors: { '404': { codes: ['USER_NOT_FOUND'], description: 'There is no user of that name.' } },
  },
  'GET /conversations': {
    operationId: 'listConversations',
    tag: 'conversations',
    summary: 'List my conversations, most recent activity first',
    success: { '200': { description: 'A page of conversations.', schema: 'ConversationPage' } },
  },
  'GET /conversations/{id}/messages': {
    operationId: 'listConversationMessages',
    tag: 'conversations',
    summary: 'Read the history of a conversation',
    description:
      'Pages as for room history. Only the two participants may read it: anyone else gets 404, as if it did not exist.',
    success: { '200': { description: 'A page of messages, oldest first.', schema: 'MessagePage' } },
    errors: {
      '404': {
        codes: ['CONVERSATION_NOT_FOUND'],
        description: 'There is no such conversation, or the caller is not one of its participants.',
      },
    },
  },
  'POST /conversations/{id}/messages': {
    operationId: 'postConversationMessage',
    tag: 'conversations',
    summary: 'Send a direct message',
    description:
      'The message is stored and pushed to every connection of both participants. `clientMessageId` makes a retry safe, as for rooms.',
    success: {
      '201': { description: 'The message was stored and sent.', schema: 'MessageResponse' },
      '200': {
        description: 'A repeat of a `clientMessageId`: the first message.',
        schema: 'MessageResponse',
      },
    },
    errors: {
      '404': {
        codes: ['CONVERSATION_NOT_FOUND'],
        description: 'There is no such conversation, or the caller is not one of its participants.',
      },
    },
  },
};

const ref = (component: string) => ({ $ref: `#/components/schemas/${component}` });
const isoTimestamp = (description: string): JsonSchema => ({
  type: 'string',
  format: 'date-time',
  description: `${description} ISO 8601 UTC with milliseconds.`,
  examples: ['2026-11-21T10:00:00.000Z'],
});
const nextCursor: JsonSchema = {
  type: ['string', 'null'],
  description: 'Pass it back to get the next page; null on the last page.',
};

/** The contract's objects and response bodies (PROTOCOL.md, "Objects" and "HTTP routes"). */
const responseSchemas: Readonly<Record<string, JsonSchema>> = {
  User: {
    type: 'object',
    properties: {
      userId: { type: 'string', description: 'Opaque.' },
      username: { type: 'string', description: 'As given at registration (case kept).' },
      email: { type: 'string', description: 'Only ever shown to its owner.' },
    },
    required: ['userId', 'username', 'email'],
  },
  Room: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      createdBy: { type: 'string', description: 'The username of its creator.' },
      createdAt: isoTimestamp('When it was created.'),
    },
    required: ['name', 'createdBy', 'createdAt'],
  },
  Message: {
    type: 'object',
    description:
      'A message in a room (`room`) or in a direct conversation (`conversationId`): exactly one of the two.',
    properties: {
      messageId: { type: 'string', description: 'Opaque; message ids sort in send order.' },
      room: { type: 'string' },
      conversationId: { type: 'string' },
      from: { type: 'string', description: 'The username of the sender.' },
      text: { type: 'string' },
      sentAt: isoTimestamp('When the server stored it.'),
      clientMessageId: { type: 'string', description: 'Echoed when the sender gave one.' },
    },
    required: ['messageId', 'from', 'text', 'sentAt'],
    oneOf: [{ required: ['room'] }, { required: ['conversationId'] }],
  },
  Conversation: {
    type: 'object',
    properties: {
      conversationId: { type: 'string' },
      participants: {
        type: 'array',
        items: { type: 'string' },
        minItems: 2,
        maxItems: 2,
        description: 'The two usernames, sorted.',
      },
      createdAt: isoTimestamp('When it was opened.'),
      lastMessage: { oneOf: [ref('Message'), { type: 'null' }] },
    },
    required: ['conversationId', 'participants', 'createdAt', 'lastMessage'],
  },
  ConversationListItem: {
    allOf: [
      ref('Conversation'),
      {
        type: 'object',
        properties: { peer: { type: 'string', description: 'The other participant.' } },
        required: ['peer'],
      },
    ],
  },
  UserResponse: { type: 'object', properties: { user: ref('User') }, required: ['user'] },
  LoginResponse: {
    type: 'object',
    properties: {
      token: { type: 'string', description: 'An HS256 JWT.' },
      tokenType: { const: 'Bearer' },
      expiresIn: { type: 'integer', description: 'Seconds until the token expires.' },
      user: {
        type: 'object',
        properties: { userId: { type: 'string' }, username: { type: 'string' } },
        required: ['userId', 'username'],
      },
    },
    required: ['token', 'tokenType', 'expiresIn', 'user'],
  },
  RoomResponse: { type: 'object', properties: { room: ref('Room') }, required: ['room'] },
  RoomPage: {
    type: 'object',
    properties: { rooms: { type: 'array', items: ref('Room') }, nextCursor },
    required: ['rooms', 'nextCursor'],
  },
  MessageResponse: { type: 'object', properties: { message: ref('Message') }, required: ['message'] },
  MessagePage: {
    type: 'object',
    properties: { messages: { type: 'array', items: ref('Message') }, nextCursor },
    required: ['messages', 'nextCursor'],
  },
  ConversationResponse: {
    type: 'object',
    properties: { conversation: ref('Conversation') },
    required: ['conversation'],
  },
  ConversationPage: {
    type: 'object',
    properties: { conversations: { type: 'array', items: ref('ConversationListItem') }, nextCursor },
    required: ['conversations', 'nextCursor'],
  },
  Error: {
    type: 'object',
    description: 'Every error the functions answer. No stack trace or internal detail is ever included.',
    properties: {
      code: { type: 'string', enum: [...HTTP_ERROR_CODES] },
      message: { type: 'string', description: 'For humans; do not parse it.' },
      details: {
        type: 'array',
        description: 'With VALIDATION_FAILED: one entry per problem.',
        items: {
          type: 'object',
          properties: {
            field: { type: 'string', description: 'The field, or "body" for the body as a whole.' },
            problem: { type: 'string' },
          },
          required: ['field', 'problem'],
        },
      },
    },
    required: ['code', 'message'],
  },
  GatewayError: {
    type: 'object',
    description: 'An answer of API Gateway itself (throttling), not of the functions.',
    properties: { message: { type: 'string', examples: ['Too Many Requests'] } },
    required: ['message'],
  },
};

/**
 * The messages of the schema's checks (`must be at least 8 bytes`), including those JSON Schema cannot express
 * (refinements) and those on the far side of a pipe (checked after a transform, such as lower-casing).
 */
function ruleMessages(schema: z.core.$ZodType): string[] {
  const def = schema._zod.def as z.core.$ZodTypeDef & {
    in?: z.core.$ZodType;
    out?: z.core.$ZodType;
    innerType?: z.core.$ZodType;
  };
  const messages: string[] = [];
  for (const check of def.checks ?? []) {
    const message = check._zod.def.error?.(undefined as never);
    if (typeof message === 'string') messages.push(message);
  }
  for (const inner of [def.in, def.out, def.innerType]) {
    if (inner) messages.push(...ruleMessages(inner));
  }
  return [...new Set(messages)];
}

/** The JSON Schema of what a client may send, with every rule's message as the description. */
function inputSchema(schema: z.core.$ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    override: (context) => {
      const messages = ruleMessages(context.zodSchema);
      if (messages.length > 0 && context.jsonSchema.description === undefined) {
        context.jsonSchema.description = `Rules: ${messages.join('; ')}.`;
      }
    },
  }) as JsonSchema;
  // OpenAPI 3.1 schemas are JSON Schema 2020-12 already (jsonSchemaDialect); no per-schema $schema needed.
  delete json.$schema;
  return json;
}

function errorResponse(codes: readonly string[], description: string) {
  return {
    description: `${description} Codes: ${codes.join(', ')}.`,
    content: { 'application/json': { schema: ref('Error') } },
  };
}

function operationOf(route: HttpRoute): Record<string, unknown> {
  const routeKey = httpRouteKey(route);
  const spec = operations[routeKey];
  if (!spec) throw new Error(`lib/openapi.ts describes no operation for ${routeKey}`);
  const body = requestBodies[routeKey];
  const query = queryStrings[routeKey];

  const parameters: Record<string, unknown>[] = [];
  for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
    parameters.push({
      name,
      in: 'path',
      required: true,
      description: parameterDescriptions[name],
      schema: { type: 'string' },
    });
  }
  if (query) {
    const json = inputSchema(query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      parameters.push({
        name,
        in: 'query',
        required: json.required?.includes(name) ?? false,
        description: parameterDescriptions[name],
        schema,
      });
    }
  }

  const responses: Record<string, unknown> = {};
  for (const [status, success] of Object.entries(spec.success)) {
    responses[status] = {
      description: success.description,
      content: { 'application/json': { schema: ref(success.schema) } },
    };
  }
  const badRequest: ErrorCode[] = body ? ['INVALID_JSON', 'VALIDATION_FAILED'] : [];
  if (query || route.path.includes('{')) badRequest.push('VALIDATION_FAILED');
  if (badRequest.length > 0) {
    responses['400'] = errorResponse([...new Set(badRequest)], 'The request is malformed or breaks a rule.');
  }
  if (route.authenticated) {
    responses['401'] = errorResponse(
      ['UNAUTHORIZED'],
      'The bearer token is missing, malformed, expired or not ours.',
    );
  }
  for (const [status, error] of Object.entries(spec.errors ?? {})) {
    responses[status] = errorResponse(error.codes, error.description);
  }
  if (body) responses['413'] = errorResponse(['PAYLOAD_TOO_LARGE'], 'The body is larger than 16 KiB.');
  responses['429'] = {
    description: route.throttle
      ? `Throttled by API Gateway: this route allows ${route.throttle.rateLimit} requests per second (bursts of ${route.throttle.burstLimit}) across all clients. Retry later.`
      : 'Throttled by API Gateway. Retry later.',
    content: { 'application/json': { schema: ref('GatewayError') } },
  };
  responses['500'] = errorResponse(['INTERNAL'], 'A bug on our side.');
  responses['503'] = errorResponse(
    ['UNAVAILABLE'],
    'The database is unavailable or throttling: retry later.',
  );

  const operation: Record<string, unknown> = {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
  };
  if (spec.description) operation.description = spec.description;
  // Explicit on every operation: public ones say so with an empty requirement list.
  operation.security = route.authenticated ? [{ [BEARER_SCHEME]: [] }] : [];
  if (parameters.length > 0) operation.parameters = parameters;
  if (body) {
    operation.requestBody = {
      required: true,
      content: { 'application/json': { schema: ref(body.component) } },
    };
  }
  operation.responses = sortedByKey(responses);
  return operation;
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Builds the OpenAPI 3.1 document of the HTTP API. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of httpRoutes) {
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = operationOf(route);
  }
  const routeKeys = new Set(httpRoutes.map(httpRouteKey));
  for (const key of [
    ...Object.keys(operations),
    ...Object.keys(requestBodies),
    ...Object.keys(queryStrings),
  ]) {
    if (!routeKeys.has(key))
      throw new Error(`lib/openapi.ts describes ${key}, which is not in lib/routes.ts`);
  }

  const schemas: Record<string, JsonSchema> = { ...responseSchemas };
  for (const body of Object.values(requestBodies)) schemas[body.component] = inputSchema(body.schema);

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Serverless chat HTTP API',
      // The version of the contract (PROTOCOL.md), not of the package.
      version: '1.0.0',
      description:
        'Accounts, rooms, direct conversations and message history. Live delivery goes over the WebSocket API ' +
        '(the `WebSocketUrl` stack output, `?token=<token>`), which OpenAPI does not describe: see PROTOCOL.md. ' +
        'Requests and responses are JSON; request bodies are at most 16 KiB.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [
      {
        url: '{httpApiUrl}',
        description: 'A deployed stack',
        variables: {
          httpApiUrl: {
            default: 'https://abcdef1234.execute-api.us-east-1.amazonaws.com',
            description: 'The `HttpApiUrl` output of `cdk deploy`.',
          },
        },
      },
      { url: 'http://127.0.0.1:3000', description: 'The local stack (`npm start`)' },
    ],
    tags: [
      { name: 'auth', description: 'Accounts and tokens' },
      { name: 'rooms', description: 'Rooms and their history' },
      { name: 'conversations', description: 'Direct conversations between two users' },
    ],
    paths,
    components: {
      securitySchemes: {
        [BEARER_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The `token` of `POST /auth/login`.',
        },
      },
      schemas: sortedByKey(schemas),
    },
  };
}

/** The document as committed in docs/openapi.json: two-space JSON and a final newline. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
