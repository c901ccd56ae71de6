/**
 * The generated API documents: the committed files are exactly what lib/documents builds from the contract,
 * each is valid for its specification according to a third-party validator, and each describes every route,
 * action, frame and error code of the contract (and nothing else).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  errorsOf,
  type HttpRouteSpec,
  httpErrors,
  httpRouteKeys,
  httpRoutes,
  serverFrames,
  socketActionNames,
  socketErrorCodes,
} from '../../lib/contract/index.ts';
import { buildAsyncApiDocument } from '../../lib/documents/asyncapi.ts';
import { renderedDocuments } from '../../lib/documents/index.ts';
import { BEARER_SCHEME, buildOpenApiDocument } from '../../lib/documents/openapi.ts';
import { repoRoot } from './synth.ts';

interface Response {
  description: string;
  content: Record<string, { schema: Record<string, unknown> }>;
  headers?: Record<string, { schema: unknown }>;
}
interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: unknown;
  responses: Record<string, Response>;
}

const openApi = buildOpenApiDocument() as { paths: Record<string, Record<string, Operation>> };
const asyncApi = buildAsyncApiDocument() as {
  operations: Record<
    string,
    { action: string; messages: { $ref: string }[]; reply?: { messages: { $ref: string }[] } }
  >;
  components: { messages: Record<string, { name: string; payload: Record<string, unknown> }> };
};

/** Every `$ref` anywhere in a value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

/** Follows a local JSON pointer (`#/a/b`) in a document. */
function resolve(document: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
}

/** The error codes an OpenAPI response may carry: the enum of its contract error schema. */
function codesOf(response: Response): string[] {
  const schema = response.content['application/json'].schema as {
    allOf?: { properties?: { code?: { enum?: string[] } } }[];
    oneOf?: { allOf?: { properties?: { code?: { enum?: string[] } } }[] }[];
  };
  const allOf = schema.allOf ?? schema.oneOf?.find((option) => option.allOf)?.allOf ?? [];
  return allOf.flatMap((part) => part.properties?.code?.enum ?? []);
}

describe.each(Object.entries(renderedDocuments()))('%s', (path, rendered) => {
  it('is committed exactly as the generator builds it (run `npm run documents` after changing the contract)', () => {
    expect(readFileSync(new URL(path, repoRoot), 'utf8')).toBe(rendered);
  });

  it('resolves every $ref inside the document', () => {
    const document = JSON.parse(rendered);
    const refs = refsIn(document);

    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(resolve(document, ref), ref).toBeDefined();
  });
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    const result = await new Validator().validate(buildOpenApiDocument());

    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
  });

  it('has exactly the routes of the contract', () => {
    const documented = Object.entries(openApi.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );

    expect(documented.sort()).toEqual([...httpRouteKeys].sort());
  });

  it.each(httpRouteKeys)(
    'documents %s with its auth, parameters, body and exactly its error codes',
    (key) => {
      const spec: HttpRouteSpec = httpRoutes[key];
      const operation = openApi.paths[spec.path][spec.method.toLowerCase()];
      const documentedCodes = Object.entries(operation.responses)
        .filter(([status]) => !status.startsWith('2'))
        .flatMap(([, response]) => codesOf(response));

      expect(operation.security).toEqual(spec.auth ? [{ [BEARER_SCHEME]: [] }] : []);
      expect(
        Object.keys(operation.responses)
          .filter((status) => status.startsWith('2'))
          .sort(),
      ).toEqual(Object.keys(spec.responses).sort());
      expect(documentedCodes.sort()).toEqual(errorsOf(spec).sort());
      for (const code of documentedCodes) {
        expect(operation.responses[String(httpErrors[code as keyof typeof httpErrors].status)]).toBeDefined();
      }
      expect(operation.requestBody !== undefined).toBe(spec.body !== undefined);
      const pathNames = [...spec.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');
      expect(declared.map((parameter) => parameter.name).sort()).toEqual(pathNames.sort());
      // API Gateway's throttling can answer any route; a route with 429 codes of its own answers either.
      const gatewayError = { $ref: '#/components/schemas/GatewayError' };
      const tooMany = operation.responses['429'];
      if (documentedCodes.some((code) => httpErrors[code as keyof typeof httpErrors].status === 429)) {
        expect(tooMany.content['application/json'].schema.oneOf).toContainEqual(gatewayError);
        expect(tooMany.headers?.['Retry-After']?.schema).toEqual({ type: 'integer', minimum: 1 });
      } else {
        expect(tooMany.content['application/json'].schema).toEqual(gatewayError);
        expect(tooMany.headers).toBeUndefined();
      }
    },
  );
});

describe('the AsyncAPI document', () => {
  it('is a valid AsyncAPI 3.0 document (the official JSON Schema of @asyncapi/specs, with ajv)', () => {
    const require = createRequire(import.meta.url);
    const specification = require('@asyncapi/specs/schemas/3.0.0-without-$id.json');
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    addFormats.default(ajv);

    const valid = ajv.validate(specification, buildAsyncApiDocument());

    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('receives every action of the contract, each answered with its replies or an error frame', () => {
    const received = Object.entries(asyncApi.operations).filter(
      ([, operation]) => operation.action === 'receive',
    );

    expect(received.map(([name]) => name).sort()).toEqual([...socketActionNames].sort());
    for (const [, operation] of received) {
      expect(operation.reply?.messages.map((message) => message.$ref)).toContain(
        '#/channels/chat/messages/errorFrame',
      );
    }
  });

  it('sends every server frame of the contract, the error frame with exactly its codes', () => {
    const sent = Object.values(asyncApi.operations)
      .filter((operation) => operation.action === 'send')
      .map(
        (operation) => asyncApi.components.messages[operation.messages[0].$ref.split('/').pop() ?? ''].name,
      );
    const errorPayload = asyncApi.components.messages.errorFrame.payload as {
      properties: { code: { enum: string[] } };
    };

    expect(sent.sort()).toEqual(Object.keys(serverFrames).sort());
    expect(errorPayload.properties.code.enum).toEqual([...socketErrorCodes]);
  });
});
