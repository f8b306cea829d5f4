import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/secrets.js';
import { isIdentifier } from './backup-format.js';
import { BACKUP_TABLES, RESET_REQUIRED_PASSWORD_HASH } from './backup-tables.js';

describe('backup tables', () => {
  it('names plain identifiers only', () => {
    for (const table of BACKUP_TABLES) {
      expect(isIdentifier(table.name), table.name).toBe(true);
      if (table.changedAt) expect(isIdentifier(table.changedAt)).toBe(true);
    }
  });

  it('gives a restore a value for every column it leaves out', () => {
    for (const table of BACKUP_TABLES)
      for (const column of table.omit ?? [])
        expect(table.restoreAs ?? {}, `${table.name}.${column}`).toHaveProperty(column);
  });

  it('never exports password hashes, and restored accounts cannot sign in', async () => {
    expect(BACKUP_TABLES.find((t) => t.name === 'users')).toMatchObject({
      omit: ['password_hash'],
      restoreAs: { is_active: false },
    });
    expect(BACKUP_TABLES.map((t) => t.name)).not.toContain('api_keys');
    expect(BACKUP_TABLES.map((t) => t.name)).not.toContain('settings');
    expect(await verifyPassword('', RESET_REQUIRED_PASSWORD_HASH)).toBe(false);
    expect(await verifyPassword('!reset-required', RESET_REQUIRED_PASSWORD_HASH)).toBe(false);
  });
});
