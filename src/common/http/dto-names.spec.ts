/// <reference types="vite/client" />
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';

/**
 * Swagger names a schema after its class, so two classes of one name reachable from the
 * controllers silently become one schema in /docs-json. Collects every class the
 * controllers' metadata reaches (responses, parameters, bodies, properties, extra models).
 */
const controllers = import.meta.glob('../../**/*.controller.ts', { eager: true });

type Class = abstract new (...args: never[]) => unknown;
const isClass = (value: unknown): value is Class =>
  typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value));

const BUILT_IN = new Set<unknown>([String, Number, Boolean, Object, Array, Date, Buffer, Promise]);

function reachable(): Map<string, Set<Class>> {
  const seen = new Set<Class>();
  const byName = new Map<string, Set<Class>>();
  const visit = (candidate: unknown): void => {
    if (Array.isArray(candidate)) return candidate.forEach(visit);
    // Lazy type functions (`type: () => X`) are arrow functions, not classes.
    if (typeof candidate === 'function' && !isClass(candidate) && candidate.length === 0)
      try {
        const resolved = (candidate as () => unknown)();
        if (isClass(resolved) || Array.isArray(resolved)) return visit(resolved);
      } catch {
        return;
      }
    if (!isClass(candidate) || BUILT_IN.has(candidate) || seen.has(candidate)) return;
    seen.add(candidate);
    if (!byName.has(candidate.name)) byName.set(candidate.name, new Set());
    byName.get(candidate.name)!.add(candidate);
    const properties: string[] =
      Reflect.getMetadata('swagger/apiModelPropertiesArray', candidate.prototype) ?? [];
    for (const key of properties) {
      const name = key.replace(/^:/, '');
      const meta = Reflect.getMetadata('swagger/apiModelProperties', candidate.prototype, name);
      visit(meta?.type);
      visit(meta?.items?.type);
      visit(Reflect.getMetadata('design:type', candidate.prototype, name));
    }
    visit(Object.getPrototypeOf(candidate));
    (Reflect.getMetadata('swagger/apiExtraModels', candidate) ?? []).forEach(visit);
  };
  for (const module of Object.values(controllers) as Record<string, unknown>[]) {
    for (const controller of Object.values(module).filter(isClass)) {
      (Reflect.getMetadata('swagger/apiExtraModels', controller) ?? []).forEach(visit);
      const prototype = controller.prototype as Record<string, unknown>;
      for (const method of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[method];
        if (method === 'constructor' || typeof handler !== 'function') continue;
        const responses: Record<string, { type?: unknown }> =
          Reflect.getMetadata('swagger/apiResponse', handler) ?? {};
        for (const response of Object.values(responses)) visit(response.type);
        (Reflect.getMetadata('design:paramtypes', prototype, method) ?? []).forEach(visit);
        (Reflect.getMetadata('swagger/apiExtraModels', handler) ?? []).forEach(visit);
      }
    }
  }
  return byName;
}

describe('DTO classes of the HTTP surface', () => {
  it('finds the controllers and their DTOs', () => {
    expect(Object.keys(controllers).length).toBeGreaterThan(15);
    expect(reachable().has('AgentResponseDto')).toBe(true);
  });

  it('never gives two distinct classes the same name (one schema would replace the other)', () => {
    const clashes = [...reachable()]
      .filter(([, classes]) => classes.size > 1)
      .map(([name, classes]) => `${name} ×${classes.size}`);
    expect(clashes).toEqual([]);
  });
});
