import type { Random } from './random.js';

/** The subset of OpenAPI 3 the fuzzer reads. */
export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean | Schema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  example?: unknown;
  default?: unknown;
}

interface RawParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface RawOperation {
  operationId?: string;
  parameters?: RawParameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
  'x-required-role'?: string;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Schema;
}

export interface Operation {
  id: string;
  method: string;
  /** The path template, `{name}` for path parameters. */
  path: string;
  parameters: Parameter[];
  body?: { contentType: string; schema: Schema };
  requiredRole?: string;
  isPublic: boolean;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Resolves `$ref` and flattens `allOf` (how @nestjs/swagger writes enums and nested DTOs). */
export function resolveSchema(document: OpenApiDocument, schema: Schema | undefined): Schema {
  if (!schema) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = document.components?.schemas?.[name] ?? {};
    const { $ref: _ref, ...rest } = schema;
    return resolveSchema(document, { ...target, ...rest });
  }
  if (schema.allOf?.length) {
    const { allOf, ...rest } = schema;
    return allOf.reduce<Schema>(
      (merged, part) => ({ ...merged, ...resolveSchema(document, part) }),
      rest,
    );
  }
  return schema;
}

export function listOperations(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const raw = item[method];
      if (!raw) continue;
      const parameters = (raw.parameters ?? [])
        .filter((p): p is RawParameter & { in: 'path' | 'query' } =>
          ['path', 'query'].includes(p.in),
        )
        .map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required ?? p.in === 'path',
          schema: resolveSchema(document, p.schema),
        }));
      const [contentType, media] = Object.entries(raw.requestBody?.content ?? {})[0] ?? [];
      operations.push({
        id: raw.operationId ?? `${method} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters,
        body: contentType
          ? { contentType, schema: resolveSchema(document, media?.schema) }
          : undefined,
        requiredRole: raw['x-required-role'],
        isPublic: !raw.security?.length,
      });
    }
  }
  return operations;
}

/**
 * A plausible value for a schema: what a well-behaved client would send. Mutations
 * start from it so that each malformed input is wrong in one place and the request
 * reaches the validation of that place.
 */
export function sampleValue(
  document: OpenApiDocument,
  raw: Schema,
  random: Random,
  uuid: () => string,
  depth = 0,
): unknown {
  const schema = resolveSchema(document, raw);
  if (schema.enum?.length) return random.pick(schema.enum);
  // A copy: the mutations write into the body, and must not write into the document.
  if (schema.example !== undefined && random.chance(0.7)) return structuredClone(schema.example);
  switch (schema.type) {
    case 'string':
      return sampleString(schema, random, uuid);
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 1;
      const max = Math.min(schema.maximum ?? min + 10, min + 100);
      return random.int(Math.ceil(min), Math.floor(max));
    }
    case 'boolean':
      return random.chance(0.5);
    case 'array': {
      if (depth > 3) return [];
      const count = Math.max(schema.minItems ?? 0, random.int(0, 2));
      return Array.from({ length: count }, () =>
        sampleValue(document, schema.items ?? {}, random, uuid, depth + 1),
      );
    }
    default: {
      if (!schema.properties) return depth > 3 ? {} : { note: 'fuzz' };
      const body: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties)) {
        if (schema.required?.includes(name) || random.chance(0.5))
          body[name] = sampleValue(document, property, random, uuid, depth + 1);
      }
      return body;
    }
  }
}

function sampleString(schema: Schema, random: Random, uuid: () => string): string {
  switch (schema.format) {
    case 'uuid':
      return uuid();
    case 'date-time':
      return new Date(Date.UTC(2026, random.int(0, 11), random.int(1, 28))).toISOString();
    case 'email':
      return `fuzz${random.int(0, 1e6)}@example.com`;
    case 'binary':
      return 'content';
    default: {
      const length = Math.max(schema.minLength ?? 1, Math.min(schema.maxLength ?? 12, 12));
      return Array.from({ length }, () => random.pick([...'abcdefghijklmnopqrstuvwxyz0123'])).join(
        '',
      );
    }
  }
}
