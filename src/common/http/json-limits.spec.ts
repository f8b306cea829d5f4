import { describe, expect, it } from 'vitest';
import {
  jsonTextProblem,
  MAX_JSON_DEPTH,
  refuseUnstorableJson,
  valueProblem,
} from './json-limits.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const text = (value: string) => Buffer.from(value);

describe('JSON limits', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(jsonTextProblem(text(nested(MAX_JSON_DEPTH)))).toBeUndefined();
    expect(jsonTextProblem(text(nested(MAX_JSON_DEPTH + 1)))).toBe('depth');
    expect(jsonTextProblem(text('{"a":{"b":[1,{"c":2}]}}'), 3)).toBe('depth');
    expect(jsonTextProblem(text('{"a":{"b":[1,{"c":2}]}}'), 4)).toBeUndefined();
    expect(jsonTextProblem(text(JSON.stringify({ t: '[[[[{{{{\\"[[[[' })), 1)).toBeUndefined();
  });

  it('finds NUL escapes and unpaired surrogates, and accepts real pairs', () => {
    expect(jsonTextProblem(text(JSON.stringify({ a: 'x\u0000y' })))).toBe('nul');
    expect(jsonTextProblem(text(JSON.stringify({ ['k\u0000']: 1 })))).toBe('nul');
    expect(jsonTextProblem(text('{"a":"\\\\u0000"}'))).toBeUndefined();
    expect(jsonTextProblem(text(JSON.stringify({ a: 'lone \ud800 high' })))).toBe('surrogate');
    expect(jsonTextProblem(text(JSON.stringify({ a: 'ends high \ud800' })))).toBe('surrogate');
    expect(jsonTextProblem(text(JSON.stringify({ a: '\udc00 lone low' })))).toBe('surrogate');
    expect(jsonTextProblem(text('{"a":"\\ud83d\\udc4b"}'))).toBeUndefined();
    expect(jsonTextProblem(text(JSON.stringify({ a: '👋 héllo \u00e9' })))).toBeUndefined();
  });

  it('checks parsed values without recursion, even very deep ones', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(valueProblem(deep)).toBe('depth');
    expect(valueProblem({ a: [1, { b: 'c' }] }, 3)).toBeUndefined();
    expect(valueProblem({ a: [1, { b: {} }] }, 3)).toBe('depth');
    expect(valueProblem({ a: ['x\u0000'] })).toBe('nul');
    expect(valueProblem({ ['\udc00']: 1 })).toBe('surrogate');
    expect(valueProblem({ a: '👋' })).toBeUndefined();
  });

  it('refuses such a body as a 400 that body-parser passes on', () => {
    expect(() => refuseUnstorableJson(null, null, text(nested(1_000)))).toThrow(
      expect.objectContaining({ status: 400, expose: true }),
    );
    expect(() => refuseUnstorableJson(null, null, text('{"ok":true}'))).not.toThrow();
  });
});
