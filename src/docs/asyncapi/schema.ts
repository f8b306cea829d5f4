/** Small JSON Schema builders shared by the AsyncAPI document's parts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
export const str = (description?: string): Json => ({
  type: 'string',
  ...(description && { description }),
});
export const nullable = (schema: Json): Json => ({ anyOf: [schema, { type: 'null' }] });
export const obj = (properties: Json, required: string[] = Object.keys(properties)): Json => ({
  type: 'object',
  properties,
  required,
});

export const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';

export const ACK_ERROR = ref('AckError');
export const ok = (properties: Json = {}, required = Object.keys(properties)): Json => ({
  oneOf: [
    obj({ ok: { type: 'boolean', const: true }, ...properties }, ['ok', ...required]),
    ACK_ERROR,
  ],
});

export const num = { type: 'number' };
export const int = { type: 'integer' };
export const enumOf = (values: string[]) => ({ type: 'string', enum: values });

/** OpenAPI 3.0 schemas (`nullable`, `example`) as the JSON Schema AsyncAPI speaks. */
export function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    if (key === 'nullable') continue;
    if (key === 'example') out.examples = [value];
    else if (key === 'properties')
      out.properties = Object.fromEntries(
        Object.entries(value as Json).map(([name, property]) => [name, toJsonSchema(property)]),
      );
    else out[key] = toJsonSchema(value);
  }
  return (schema as Json).nullable ? nullable(out) : out;
}

export const message = (name: string, summary: string, payload: Json, example?: unknown): Json => ({
  name,
  title: name,
  summary,
  payload,
  ...(example !== undefined ? { examples: [{ name: 'example', payload: example }] } : {}),
});
