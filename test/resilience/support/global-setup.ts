import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import setupTestStores from '../../support/global-setup.js';

/** The e2e stores (template database, clean Redis keys), plus the fault log and its summary. */
export default async function setup(): Promise<() => void> {
  await setupTestStores();
  const directory = mkdtempSync(join(tmpdir(), 'subforge-faults-'));
  const log = join(directory, 'faults.log');
  writeFileSync(log, '');
  process.env.RESILIENCE_FAULT_LOG = log;
  return () => {
    const faults = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const byKind = new Map<string, number>();
    for (const kind of faults) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    const detail = [...byKind].map(([kind, count]) => `${count} × ${kind}`).join(', ');
    console.log(`\nresilience: ${faults.length} faults injected (${detail || 'none'})\n`);
    rmSync(directory, { recursive: true, force: true });
  };
}
