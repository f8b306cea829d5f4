import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DUMMY_PASSWORD_HASH, hashPassword, needsRehash, verifyPassword } from './secrets.js';

/** A hash as the service stored it with its earlier parameters (N=2^15). */
function olderHash(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N: 32_768, r: 8, p: 1, maxmem: 64 * 1024 ** 2 });
  return ['scrypt', 32_768, 8, 1, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

// Each hash takes 128 MiB and a few hundred ms idle, seconds on a loaded machine: the
// timeout is generous because these tests check correctness only.
describe('password hashes', { timeout: 60_000 }, () => {
  it('hash with scrypt N=2^17, r=8, p=1, and say so in the stored format', async () => {
    const stored = await hashPassword('correct horse');
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('wrong horse', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
    expect(DUMMY_PASSWORD_HASH).toMatch(/^scrypt\$131072\$8\$1\$/);
  });

  it('still verify older hashes, and mark them for rehashing', async () => {
    const stored = olderHash('old password');
    expect(await verifyPassword('old password', stored)).toBe(true);
    expect(needsRehash(stored)).toBe(true);
  });
});
