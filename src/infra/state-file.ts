import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The URL of an embedded service started by one process of this checkout, so that
 * another process (a separate worker, say) reuses it instead of starting its own.
 */
export interface ServiceStateFile {
  url: string;
  pid: number;
}

export function readStateFile(path: string): ServiceStateFile | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ServiceStateFile>;
    return typeof parsed.url === 'string' && typeof parsed.pid === 'number'
      ? { url: parsed.url, pid: parsed.pid }
      : undefined;
  } catch {
    return undefined;
  }
}

export function writeStateFile(path: string, state: ServiceStateFile): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(state), { mode: 0o600 });
}

export function removeStateFile(path: string): void {
  rmSync(path, { force: true });
}
