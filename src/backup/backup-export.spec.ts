import { describe, expect, it } from 'vitest';
import { tableQuery } from './backup-export.js';

describe('export queries', () => {
  const base = { name: 'tasks', changedAt: 'updated_at', orderBy: ['id'] };

  it('whole tables: every row, in key order, secrets removed by the first parameter', () => {
    expect(tableQuery({ ...base, mode: 'all' }, 'rows')).toBe(
      'SELECT (to_jsonb(t) - $1::text[])::text AS row FROM "tasks" t ORDER BY t."id"',
    );
    expect(tableQuery({ ...base, mode: 'all' }, 'count')).toBe(
      'SELECT count(*)::int AS count FROM "tasks" t',
    );
  });

  it('changed rows: filtered on the change column from the watermark on', () => {
    expect(tableQuery({ ...base, mode: 'changed' }, 'rows')).toBe(
      'SELECT (to_jsonb(t) - $1::text[])::text AS row FROM "tasks" t WHERE t."updated_at" >= $2 ORDER BY t."id"',
    );
    expect(tableQuery({ ...base, mode: 'changed' }, 'count')).toBe(
      'SELECT count(*)::int AS count FROM "tasks" t WHERE t."updated_at" >= $1',
    );
  });
});
