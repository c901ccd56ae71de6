/**
 * The OpenAPI document of the HTTP API: the committed docs/openapi.json is exactly what lib/openapi.ts builds
 * from the route table and the input schemas, every route is in it with its method and its auth, and it has the
 * structure of an OpenAPI 3.1 document (every reference resolves, every path parameter is declared).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BEARER_SCHEME,
  buildOpenApiDocument,
  HTTP_ERROR_CODES,
  OPENAPI_DOCUMENT_PATH,
  queryStrings,
  renderOpenApiDocument,
  requestBodies,
} from '../../lib/openapi.ts';
import { httpRouteKey, httpRoutes } from '../../lib/routes.ts';
import { repoRoot } from './synth.ts';

interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required: boolean; description?: string; schema: unknown }[];
  requestBody?: { required: boolean; content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, string>>; schemas: Record<string, unknown> };
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// Prepare + Act
const document = buildOpenApiDocument() as unknown as OpenApiDocument;
const operationsOf = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

/** Every `$ref` anywhere in a value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : refsIn(inner),
  );
}

describe('docs/openapi.json', () => {
  it('is exactly what the generator builds (run `npm run openapi` after changing routes or schemas)', () => {
    const committed = readFileSync(new URL(OPENAPI_DOCUMENT_PATH, repoRoot), 'utf8');

    expect(committed).toBe(renderOpenApiDocument());
  });
});

describe('the OpenAPI document', () => {
  it('is an OpenAPI 3.1 document with info, paths and a bearer security scheme', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toEqual(expect.any(String));
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(document.paths).length).toBeGreaterThan(0);
    expect(document.components.securitySchemes[BEARER_SCHEME]).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
    );
  });

  it('has operations only under HTTP methods, each with a unique operationId and responses', () => {
    const operations = operationsOf(document);
    const ids = operations.map(({ operation }) => operation.operationId);

    for (const { method, operation } of operations) {
      expect(HTTP_METHODS).toContain(method);
      expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(status).toMatch(/^[1-5]\d\d$/);
        expect(response.description.length).toBeGreaterThan(0);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resolves every $ref to a component schema', () => {
    const refs = refsIn(document);

    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(document.components.schemas).toHaveProperty([ref.replace('#/components/schemas/', '')]);
    }
  });

  it('declares every path parameter of every path, as required', () => {
    for (const { path, operation } of operationsOf(document)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path');

      expect(declared.map((parameter) => parameter.name).sort()).toEqual(names.sort());
      for (const parameter of declared) expect(parameter.required).toBe(true);
    }
  });

  it('uses only the security schemes it defines', () => {
    for (const { operation } of operationsOf(document)) {
      for (const requirement of operation.security) {
        for (const scheme of Object.keys(requirement)) {
          expect(document.components.securitySchemes).toHaveProperty([scheme]);
        }
      }
    }
  });

  it('has exactly the operations of the route table', () => {
    const documented = operationsOf(document).map(({ path, method }) => `${method.toUpperCase()} ${path}`);

    expect(documented.sort()).toEqual(httpRoutes.map(httpRouteKey).sort());
  });

  it('lists only error codes the functions answer with (errors.ts and the HTTP wrapper)', () => {
    const source = ['lambdas/shared/errors.ts', 'lambdas/shared/http.ts']
      .map((path) => readFileSync(new URL(path, repoRoot), 'utf8'))
      .join('\n');

    for (const code of HTTP_ERROR_CODES) expect(source).toContain(`'${code}'`);
  });
});

describe.each(httpRoutes.map((route) => [httpRouteKey(route), route] as const))('%s', (routeKey, route) => {
  const operation = () => document.paths[route.path]?.[route.method.toLowerCase()];

  it('is documented under its path and method', () => {
    expect(operation()).toBeDefined();
  });

  it(route.authenticated ? 'requires the bearer token' : 'is public', () => {
    const expected = route.authenticated ? [{ [BEARER_SCHEME]: [] }] : [];

    expect(operation()?.security).toEqual(expected);
    if (route.authenticated) expect(operation()?.responses['401']).toBeDefined();
  });

  if (route.method === 'POST') {
    it('has a request body schema, from the schema its handler parses', () => {
      const body = requestBodies[routeKey];

      expect(body, `lib/openapi.ts requestBodies has no entry for ${routeKey}`).toBeDefined();
      expect(operation()?.requestBody).toEqual({
        required: true,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${body.component}` } } },
      });
      expect(document.components.schemas[body.component]).toEqual(
        expect.objectContaining({ type: 'object', properties: expect.any(Object) }),
      );
      expect(operation()?.responses['400']).toBeDefined();
      expect(operation()?.responses['413']).toBeDefined();
    });
  } else {
    it('has no request body', () => {
      expect(operation()?.requestBody).toBeUndefined();
    });
  }

  it('documents each query parameter its handler parses, with a description', () => {
    const query = (operation()?.parameters ?? []).filter((parameter) => parameter.in === 'query');

    if (queryStrings[routeKey] === undefined) {
      expect(query).toEqual([]);
    } else {
      expect(query.length).toBeGreaterThan(0);
      for (const parameter of query) expect(parameter.description).toEqual(expect.any(String));
    }
  });

  it('documents a success answer, throttling and server errors', () => {
    const statuses = Object.keys(operation()?.responses ?? {});

    expect(statuses.some((status) => status.startsWith('2'))).toBe(true);
    expect(statuses).toEqual(expect.arrayContaining(['429', '500', '503']));
  });
});
