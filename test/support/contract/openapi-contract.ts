import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks HTTP answers the e2e suite receives against `/docs-json`: the status is
 * documented for the operation, a JSON body validates against its schema, documented
 * required headers are present. The document is generated once per run (global setup)
 * and read from CONTRACT_DIR; exercised operations are written there for the coverage line.
 */
export const CONTRACT_DIR = resolve('.data', 'test', 'contract');
export const DOCUMENT_FILE = resolve(CONTRACT_DIR, 'openapi.json');
export const ASYNCAPI_FILE = resolve(CONTRACT_DIR, 'asyncapi.json');
export const COVERAGE_DIR = resolve(CONTRACT_DIR, 'coverage');

/** Routes outside the document, on purpose. */
const EXCLUDED: RegExp[] = [
  /^\/socket\.io(\/|$)/, // Socket.IO's own transport (see the AsyncAPI document)
  /^\/admin\/queues(\/|$)/, // the queue board (Bull Board's own UI and API)
  /^\/docs(-json|\/.*|$)/, // Swagger UI, the documents themselves and the socket console
  /^\/ws(\/v2)?$/, // plain WebSocket upgrades
];

type Json = Record<string, any>;

interface Operation {
  id: string;
  method: string;
  path: string;
  pattern: RegExp;
  params: number;
  responses: Json;
}

export interface CheckedResponse {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, when the answer is JSON. */
  json?: unknown;
  /** The raw body, when known (used when `json` is absent). */
  text?: string;
}

let contract: Contract | undefined;
const mismatches: string[] = [];

/** Turns the checks on (the e2e setup file does); off, `checkResponse` does nothing. */
export function enableContractChecks(): void {
  contract ??= new Contract(JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8')) as Json);
}

/** Records a mismatch found by another check (the socket events against the AsyncAPI document). */
export function recordMismatch(problem: string): void {
  mismatches.push(problem);
}

/** Mismatches found since the last call, emptied. */
export function takeMismatches(): string[] {
  return mismatches.splice(0);
}

export function checkResponse(response: CheckedResponse): void {
  if (!contract) return;
  const problem = contract.check(response);
  if (problem)
    mismatches.push(`${response.method} ${response.url} → ${response.status}: ${problem}`);
}

/** OpenAPI 3.0 `nullable: true` as JSON Schema (`anyOf` with null), and refs into one schema. */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema as Json)) {
    if (key === 'example' || key === 'examples' || key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string')
      out.$ref = value.replace('#/components/', 'openapi#/components/');
    else if (key === 'properties' && value && typeof value === 'object')
      out.properties = Object.fromEntries(
        Object.entries(value as Json).map(([name, property]) => [name, toJsonSchema(property)]),
      );
    else out[key] = toJsonSchema(value);
  }
  return (schema as Json).nullable ? { anyOf: [out, { type: 'null' }] } : out;
}

class Contract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  private readonly operations: Operation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: Json) {
    addFormats.default(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema({ $id: 'openapi', components: toJsonSchema(document.components) });
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        if (!operation?.responses) continue;
        const source = path
          .split(/\{[^}]+\}/)
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]+');
        this.operations.push({
          id: operation.operationId as string,
          method: method.toUpperCase(),
          path,
          pattern: new RegExp(`^${source}/?$`),
          params: (path.match(/\{/g) ?? []).length,
          responses: operation.responses as Json,
        });
      }
    }
    // A literal segment wins over a parameter (`/background-tasks/types` before `/{id}`).
    this.operations.sort((a, b) => a.params - b.params);
  }

  check(response: CheckedResponse): string | null {
    const path = response.url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
    const method = response.method.toUpperCase();
    if (method === 'OPTIONS' || EXCLUDED.some((pattern) => pattern.test(path))) return null;
    const operation = this.operations.find(
      (candidate) =>
        candidate.pattern.test(path) &&
        (candidate.method === method || (method === 'HEAD' && candidate.method === 'GET')),
    );
    if (!operation) {
      // A route that does not exist: the router's 404, or a refusal before routing (malformed
      // JSON, BODY_LIMIT), in the one error shape.
      if (response.status < 400 || response.status >= 500)
        return 'no operation of /docs-json matches';
      return this.validate(
        'unrouted',
        'ErrorResponseDto',
        { $ref: '#/components/schemas/ErrorResponseDto' },
        response,
      );
    }
    recordCoverage(operation.id, response.status);
    const documented = operation.responses[String(response.status)] ?? operation.responses.default;
    if (!documented) return `status not documented for ${operation.id}`;
    for (const [name, header] of Object.entries((documented.headers ?? {}) as Json)) {
      if (!header.required || response.headers[name.toLowerCase()] !== undefined) continue;
      return `header ${name} missing (${operation.id})`;
    }
    const contentType = String(response.headers['content-type'] ?? '');
    if (method === 'HEAD' || response.status === 204 || response.status === 304) return null;
    const content = (documented.content ?? {}) as Json;
    const isJson = /[/+]json\b/.test(contentType);
    const jsonSchema = content['application/json']?.schema;
    if (!isJson) {
      const mediaTypes = Object.keys(content);
      if (!mediaTypes.length && !contentType) return null;
      const mediaType = contentType.split(';')[0].trim();
      const ok = mediaTypes.some(
        (type) =>
          type === '*/*' ||
          type === mediaType ||
          (type.endsWith('/*') && mediaType.startsWith(type.slice(0, -1))),
      );
      return ok
        ? null
        : `media type ${mediaType || '(none)'} not documented (${mediaTypes.join(', ') || 'none'})`;
    }
    if (!jsonSchema && content['*/*']) return null; // a download may be a JSON file
    if (!jsonSchema)
      return `a JSON body where ${operation.id} documents ${Object.keys(content).join(', ') || 'none'}`;
    return this.validate(operation.id, String(response.status), jsonSchema, response);
  }

  private validate(
    id: string,
    status: string,
    schema: Json,
    response: CheckedResponse,
  ): string | null {
    let body = response.json;
    if (body === undefined && response.text !== undefined) {
      try {
        body = JSON.parse(response.text);
      } catch {
        return 'body is not valid JSON';
      }
    }
    const key = `${id} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as Json);
      this.validators.set(key, validate);
    }
    if (validate(body)) return null;
    return `body does not match the schema of ${id}: ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}`;
  }
}

let coverageFile: string | undefined;
const recorded = new Set<string>();

function recordCoverage(operationId: string, status: number): void {
  const line = `${operationId} ${status}`;
  if (recorded.has(line)) return;
  recorded.add(line);
  if (!coverageFile) {
    mkdirSync(COVERAGE_DIR, { recursive: true });
    coverageFile = resolve(
      COVERAGE_DIR,
      `${process.pid}-${Math.random().toString(16).slice(2)}.log`,
    );
  }
  appendFileSync(coverageFile, `${line}\n`);
}

/** The coverage line: operations of the document answered with a documented success status. */
export function coverageReport(): string | null {
  if (!existsSync(DOCUMENT_FILE) || !existsSync(COVERAGE_DIR)) return null;
  const document = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8')) as Json;
  const seen = new Set<string>();
  for (const file of readdirSync(COVERAGE_DIR))
    for (const line of readFileSync(resolve(COVERAGE_DIR, file), 'utf8').split('\n')) {
      const [id, status] = line.split(' ');
      if (id && /^2/.test(status ?? '')) seen.add(id);
    }
  const all: string[] = [];
  for (const [path, item] of Object.entries(document.paths as Json))
    for (const [method, operation] of Object.entries(item as Json))
      if (operation?.operationId)
        all.push(`${operation.operationId} (${method.toUpperCase()} ${path})`);
  const missing = all.filter((entry) => !seen.has(entry.split(' ')[0]));
  return (
    `OpenAPI coverage: ${all.length - missing.length}/${all.length} operations of /docs-json answered with a success status` +
    (missing.length ? `; not exercised: ${missing.join(', ')}` : '')
  );
}
