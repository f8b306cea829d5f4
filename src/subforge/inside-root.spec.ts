import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { realPathInside } from './inside-root.js';

describe('realPathInside', () => {
  const base = mkdtempSync(join(tmpdir(), 'subforge-root-'));
  const root = join(base, 'project');
  mkdirSync(join(root, 'agents'), { recursive: true });
  writeFileSync(join(base, 'secret.md'), 'outside');
  writeFileSync(join(root, 'agents', 'a.md'), 'inside');
  symlinkSync(join(base, 'secret.md'), join(root, 'agents', 'leak.md'));
  symlinkSync(join(root, 'agents', 'a.md'), join(root, 'agents', 'alias.md'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('follows links that stay inside the root and refuses those that leave it', async () => {
    expect(await realPathInside(root, join(root, 'agents', 'a.md'))).toMatch(/a\.md$/);
    expect(await realPathInside(root, join(root, 'agents', 'alias.md'))).toMatch(/a\.md$/);
    expect(await realPathInside(root, join(root, 'agents', 'leak.md'))).toBeNull();
  });
});
