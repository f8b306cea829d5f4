import { describe, expect, it } from 'vitest';
import {
  BackupFormatError,
  type BackupHeader,
  endLine,
  headerLine,
  parseLine,
  rowLine,
  splitLines,
} from './backup-format.js';

const header: BackupHeader = {
  kind: 'header',
  format: 'subforge-backup',
  version: 1,
  backup_type: 'full',
  snapshot_at: '2026-03-10T14:37:25.000Z',
  since: null,
  watermark: '2026-03-10T14:37:24.900Z',
  base_backup_id: null,
  schema: 'Tasks1795633448855',
  tables: [{ name: 'agents', columns: ['id', 'name'], omitted: [], mode: 'all', rows: 1 }],
};

async function* chunks(...parts: (string | Buffer)[]) {
  for (const part of parts) yield part;
}

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of source) lines.push(line);
  return lines;
}

describe('backup lines', () => {
  it('round-trips the header, rows and the end', () => {
    expect(parseLine(headerLine(header).trimEnd(), 1)).toEqual({ kind: 'header', header });
    const end = { kind: 'end' as const, rows: 1, counts: { agents: 1 } };
    expect(parseLine(endLine(end).trimEnd(), 3)).toEqual({ kind: 'end', end });
  });

  it('keeps a row as text: big integers never pass through a double', () => {
    const row = '{"id": 9007199254740993, "name": "a \\"quoted\\" name"}';
    expect(parseLine(rowLine('agent_status_history', row).trimEnd(), 2)).toEqual({
      kind: 'row',
      table: 'agent_status_history',
      row,
    });
  });

  it('refuses what is not a backup line, naming the line', () => {
    expect(() => parseLine('not json', 7)).toThrow(new BackupFormatError('line 7: not JSON'));
    expect(() => parseLine('{"kind":"header","format":"other"}', 1)).toThrow(
      /not a subforge-backup/,
    );
    expect(() => parseLine(JSON.stringify({ ...header, version: 2 }), 1)).toThrow(/version 2/);
    expect(() =>
      parseLine(
        JSON.stringify({ ...header, tables: [{ ...header.tables[0], name: 'x; DROP' }] }),
        1,
      ),
    ).toThrow(/plain identifier/);
    expect(() => parseLine('{"table":"Bad Name","row":{}}', 4)).toThrow(/line 4/);
  });

  it('splits chunks into lines, whatever the chunk boundaries, multibyte characters included', async () => {
    const text = 'première\nligne deux\n\nfin';
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from('è')) + 1;
    expect(await collect(splitLines(chunks(bytes.subarray(0, cut), bytes.subarray(cut))))).toEqual([
      'première',
      'ligne deux',
      '',
      'fin',
    ]);
    expect(await collect(splitLines(chunks('a\n', 'b\n')))).toEqual(['a', 'b']);
  });
});
