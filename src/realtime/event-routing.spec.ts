import { describe, expect, it } from 'vitest';
import { routeDomainEvent } from './event-routing.js';

describe('event routing', () => {
  it('sends the events of backup files to admins only, and other files to `files`', () => {
    const backup = { id: 'b', file_type: 'backups', filename: 'backup.jsonl.gz' };
    expect(routeDomainEvent('file.uploaded', { file: backup })).toEqual([
      expect.objectContaining({ type: 'file_update', rooms: ['admin'] }),
    ]);
    expect(routeDomainEvent('file.deleted', { file_id: 'b', file_type: 'backups' })).toEqual([
      { type: 'file_update', rooms: ['admin'], data: { event: 'deleted', file_id: 'b' } },
    ]);
    const document = { id: 'd', file_type: 'documents' };
    expect(routeDomainEvent('file.validated', { file: document })[0].rooms).toEqual(['files']);
  });
});
