import * as z from 'zod/mini';
import { publishedSchemas } from '../contract/index.ts';

/** A JSON Schema object, as the generated documents hold it. */
export type JsonSchema = Record<string, unknown>;

/** Which JSON Schema dialect a document speaks: OpenAPI 3.1 uses 2020-12; AsyncAPI 3.0 schemas are draft-07. */
export type Dialect = 'draft-2020-12' | 'draft-7';

/**
 * The messages of a schema's checks (`must be at least 8 bytes`), including those JSON Schema cannot express
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

const conversion = (dialect: Dialect, uri: (id: string) => string) => ({
  target: dialect,
  io: 'input' as const,
  uri,
  // Every rule's message becomes the description where the contract gave none, so a reader sees the rules
  // that JSON Schema cannot say (byte lengths, lower-casing, "not only white space").
  override: (context: { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema }) => {
    const messages = ruleMessages(context.zodSchema);
    if (messages.length > 0 && context.jsonSchema.description === undefined) {
      context.jsonSchema.description = `Rules: ${messages.join('; ')}.`;
    }
  },
});

/** Drops the per-schema `$schema` and `$id`: the document's dialect and its component names say both. */
function bare(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/** Every published schema of the contract, by name, referring to each other through `uri(name)`. */
export function publishedJsonSchemas(
  dialect: Dialect,
  uri: (id: string) => string,
): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(publishedSchemas, conversion(dialect, uri)) as {
    schemas: Record<string, JsonSchema>;
  };
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, bare(schema)]));
}

/** The JSON Schema of one schema; published schemas inside it are referred to through `uri(name)`. */
export function jsonSchemaOf(
  schema: z.core.$ZodType,
  dialect: Dialect,
  uri: (id: string) => string,
): JsonSchema {
  const id = publishedSchemas.get(schema)?.id;
  if (id !== undefined) return { $ref: uri(id) };
  return bare(z.toJSONSchema(schema, conversion(dialect, uri)) as JsonSchema);
}

/** The name a schema is published under. */
export function publishedNameOf(schema: z.core.$ZodType): string {
  const id = publishedSchemas.get(schema)?.id;
  if (id === undefined) throw new Error('This schema is not published under a name (lib/contract)');
  return id;
}

export function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
