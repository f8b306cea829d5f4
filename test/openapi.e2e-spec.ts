import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_FILE } from './support/contract/openapi-contract.js';

/**
 * The committed surface of /docs-json: every operationId with its path, method, statuses and
 * the schemas it names. A removal or rename fails here unless the file says so too
 * (`npm run openapi:surface` rewrites it from the current document).
 */
const SURFACE_FILE = resolve('test', 'openapi-surface.json');

interface SurfaceEntry {
  method: string;
  path: string;
  statuses: string[];
  schemas: string[];
}
type Surface = Record<string, SurfaceEntry>;
type Json = any;

const document: Json = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8'));

function schemaNames(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => schemaNames(item, into));
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.add(value.split('/').pop()!);
      else schemaNames(value, into);
    }
  return into;
}

function surfaceOf(doc: Json): Surface {
  const surface: Surface = {};
  for (const [path, item] of Object.entries<Json>(doc.paths))
    for (const [method, operation] of Object.entries<Json>(item)) {
      if (!operation?.operationId) continue;
      surface[operation.operationId] = {
        method: method.toUpperCase(),
        path,
        statuses: Object.keys(operation.responses ?? {}).sort(),
        schemas: [
          ...schemaNames([operation.parameters, operation.requestBody, operation.responses]),
        ].sort(),
      };
    }
  return Object.fromEntries(Object.entries(surface).sort(([a], [b]) => a.localeCompare(b)));
}

describe('the OpenAPI document', () => {
  const current = surfaceOf(document);

  it('is the surface committed in test/openapi-surface.json (no silent removal or rename)', () => {
    if (process.env.OPENAPI_SURFACE_WRITE === '1')
      writeFileSync(SURFACE_FILE, `${JSON.stringify(current, null, 2)}\n`);
    expect(existsSync(SURFACE_FILE), 'run npm run openapi:surface').toBe(true);
    const committed = JSON.parse(readFileSync(SURFACE_FILE, 'utf8')) as Surface;
    const problems: string[] = [];
    for (const [id, entry] of Object.entries(committed)) {
      const now = current[id];
      if (!now) {
        problems.push(`operation ${id} (${entry.method} ${entry.path}) removed or renamed`);
        continue;
      }
      if (now.method !== entry.method || now.path !== entry.path)
        problems.push(
          `${id} moved from ${entry.method} ${entry.path} to ${now.method} ${now.path}`,
        );
      for (const status of entry.statuses)
        if (!now.statuses.includes(status)) problems.push(`${id} no longer documents ${status}`);
      for (const schema of entry.schemas)
        if (!now.schemas.includes(schema)) problems.push(`${id} no longer names schema ${schema}`);
    }
    for (const id of Object.keys(current))
      if (!committed[id]) problems.push(`${id} is new: add it with npm run openapi:surface`);
    expect(problems).toEqual([]);
  });

  it('gives every operation a documented success answer with its content', () => {
    const missing = Object.entries(current)
      .filter(([, entry]) => !entry.statuses.some((status) => /^2/.test(status)))
      .map(([id]) => id);
    expect(missing).toEqual([]);
    const withoutBody: string[] = [];
    for (const [path, item] of Object.entries<Json>(document.paths))
      for (const [method, operation] of Object.entries<Json>(item))
        for (const [status, response] of Object.entries<Json>(operation.responses))
          if (/^2/.test(status) && status !== '204' && !response.content)
            withoutBody.push(`${method.toUpperCase()} ${path} ${status}`);
    expect(withoutBody).toEqual([]);
  });

  it('documents every error answer with the one error schema', () => {
    const bare: string[] = [];
    for (const [path, item] of Object.entries<Json>(document.paths))
      for (const [method, operation] of Object.entries<Json>(item))
        for (const [status, response] of Object.entries<Json>(operation.responses))
          if (Number(status) >= 400 && !response.content?.['application/json']?.schema)
            bare.push(`${method.toUpperCase()} ${path} ${status}`);
    expect(bare).toEqual([]);
  });

  it('types every nullable field (a bare nullable object is a union the generator lost)', () => {
    const untyped: string[] = [];
    for (const [name, schema] of Object.entries<Json>(document.components.schemas))
      for (const [property, value] of Object.entries<Json>(schema.properties ?? {}))
        if (
          value.nullable &&
          value.type === 'object' &&
          !value.properties &&
          !value.additionalProperties &&
          !value.allOf &&
          !value.$ref
        )
          untyped.push(`${name}.${property}`);
    expect(untyped).toEqual([]);
  });
});
