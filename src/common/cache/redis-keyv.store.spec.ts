import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { deserializeEntry, serializeEntry } from './redis-keyv.store.js';

describe('response cache entries', () => {
  const body = '{"items":[{"name":"a \\"quoted\\" name\\nover two lines"}],"total":1}';

  it('stores a cached response as its own text, readable back as it was', () => {
    const stored = serializeEntry({ value: body, expires: 1_700_000_000_000 });
    expect(stored.endsWith(`\n${body}`)).toBe(true);
    expect(stored.length).toBeLessThan(body.length + 20);
    expect(deserializeEntry(stored)).toEqual({ value: body, expires: 1_700_000_000_000 });
    expect(deserializeEntry(serializeEntry({ value: '' }))).toEqual({
      value: '',
      expires: undefined,
    });
  });

  it('keeps other values (and entries written before) as JSON', () => {
    const other = { value: { count: 3 }, expires: 5 };
    expect(deserializeEntry(serializeEntry(other))).toEqual(other);
    expect(deserializeEntry(JSON.stringify({ value: body, expires: null }))).toEqual({
      value: body,
      expires: null,
    });
  });

  it('round-trips through Keyv, expiry included', async () => {
    const keyv = new Keyv({
      serialize: serializeEntry,
      deserialize: (data: string) => deserializeEntry(data) as never,
    });
    await keyv.set('fresh', body, 60_000);
    expect(await keyv.get('fresh')).toBe(body);
    await keyv.set('stale', body, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await keyv.get('stale')).toBeUndefined();
  });
});
