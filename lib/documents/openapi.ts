/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the contract (lib/contract): paths, methods, auth,
 * parameters, request and response bodies, and every error code a route may answer. `npm run documents` writes
 * it to docs/openapi.json; a test fails when the committed file differs from what this module builds.
 */
import {
  errorsOf,
  type HttpErrorCode,
  type HttpRouteSpec,
  httpErrors,
  httpRouteKeys,
  httpRoutes,
  limits,
} from '../contract/index.ts';
import {
  type JsonSchema,
  jsonSchemaOf,
  publishedJsonSchemas,
  publishedNameOf,
  sortedByKey,
} from './json-schema.ts';

/** Where the generated document is committed, relative to the repository root. */
export const OPENAPI_DOCUMENT_PATH = 'docs/openapi.json';

/** The name of the bearer security scheme that authenticated operations require. */
export const BEARER_SCHEME = 'bearerAuth';

const componentUri = (id: string) => `#/components/schemas/${id}`;
const ref = (id: string) => ({ $ref: componentUri(id) });
const jsonContent = (schema: JsonSchema) => ({ 'application/json': { schema } });

/** The answers API Gateway gives itself, before any function runs: their body is `{"message": ...}`. */
const gatewayAnswers = {
  '413': `API Gateway refuses a request larger than its own limit (10 MB) before the function sees it; bodies over ${limits.maxBodyBytes} bytes get the contract's PAYLOAD_TOO_LARGE from the function.`,
  '429': 'API Gateway throttled the request (stage or route throttle). Retry later.',
  '500': 'API Gateway could not run the function (for example, it timed out or crashed).',
  '503': 'API Gateway could not reach the function (for example, its concurrency is exhausted). Retry later.',
} as const;

/** The responses of one status: the contract's error codes, and API Gateway's own answer where it has one. */
function errorResponse(status: string, codes: readonly HttpErrorCode[]): Record<string, unknown> {
  const contract = { allOf: [ref('Error'), { properties: { code: { enum: [...codes] } } }] };
  const gateway = gatewayAnswers[status as keyof typeof gatewayAnswers];
  const meanings = codes.map((code) => `${code}: ${httpErrors[code].meaning}`);
  return {
    description: [...meanings, ...(gateway ? [`Or, with \`{"message"}\`: ${gateway}`] : [])].join(' '),
    // Our own 429s say when to come back; API Gateway's throttling answers do not.
    ...(status === '429' && codes.length > 0 ? { headers: { 'Retry-After': retryAfterHeader } } : {}),
    content: jsonContent(gateway && codes.length > 0 ? { oneOf: [contract, ref('GatewayError')] } : contract),
  };
}

const retryAfterHeader = {
  description:
    "On the contract's own 429 answers: whole seconds to wait before trying again (at least 1; `retryAfterMs` in the body says the same in milliseconds). Absent from API Gateway's throttling answers.",
  schema: { type: 'integer', minimum: 1 },
};

function parameters(spec: HttpRouteSpec): Record<string, unknown>[] {
  const result: Record<string, unknown>[] = [];
  for (const [where, schema] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (schema === undefined) continue;
    const json = jsonSchemaOf(schema, 'draft-2020-12', componentUri) as {
      properties: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(json.properties)) {
      const { description, ...rest } = property;
      result.push({
        name,
        in: where,
        required: where === 'path' || (json.required?.includes(name) ?? false),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return result;
}

function operationOf(spec: HttpRouteSpec): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, success] of Object.entries(spec.responses)) {
    responses[status] = {
      description: success.description,
      ...(success.schema ? { content: jsonContent(ref(publishedNameOf(success.schema))) } : {}),
    };
  }
  const byStatus = new Map<string, HttpErrorCode[]>();
  for (const code of errorsOf(spec)) {
    const status = String(httpErrors[code].status);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  // API Gateway's own 413 concerns bodies only; its throttling and failures can meet any route.
  for (const status of spec.body ? ['413', '429', '500', '503'] : ['429', '500', '503']) {
    byStatus.set(status, byStatus.get(status) ?? []);
  }
  for (const [status, codes] of byStatus) {
    responses[status] =
      codes.length > 0
        ? errorResponse(status, codes)
        : {
            description: gatewayAnswers[status as keyof typeof gatewayAnswers],
            content: jsonContent(ref('GatewayError')),
          };
  }
  const parameterList = parameters(spec);
  return {
    operationId: spec.operationId,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    // Explicit on every operation: public ones say so with an empty requirement list.
    security: spec.auth ? [{ [BEARER_SCHEME]: [] }] : [],
    ...(parameterList.length > 0 ? { parameters: parameterList } : {}),
    ...(spec.body
      ? { requestBody: { required: true, content: jsonContent(ref(publishedNameOf(spec.body))) } }
      : {}),
    responses: sortedByKey(responses),
  };
}

/** Builds the OpenAPI 3.1 document of the HTTP API. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const key of httpRouteKeys) {
    const spec: HttpRouteSpec = httpRoutes[key];
    paths[spec.path] ??= {};
    paths[spec.path][spec.method.toLowerCase()] = operationOf(spec);
  }
  const schemas = {
    ...publishedJsonSchemas('draft-2020-12', componentUri),
    GatewayError: {
      type: 'object',
      description:
        'An answer of API Gateway itself (throttling, a function that could not run), not of the functions.',
      properties: { message: { type: 'string', examples: ['Too Many Requests'] } },
      required: ['message'],
    },
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Serverless chat HTTP API',
      // The version of the contract (docs/PROTOCOL.md), not of the package.
      version: '1.0.0',
      description:
        'Accounts, rooms, direct conversations and message history. Live delivery goes over the WebSocket API, ' +
        `described by docs/asyncapi.json. Requests and responses are JSON; request bodies are at most ${limits.maxBodyBytes} bytes.`,
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
      { name: 'push', description: 'Push notifications: devices and muted conversations' },
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
