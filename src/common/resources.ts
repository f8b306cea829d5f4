import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CpuInfo } from 'node:os';

/** Pure arithmetic over what the OS reports; every figure is a measurement or derived from one. */

export interface CpuTimes {
  idle: number;
  total: number;
}

/** Sums the time counters (ms) of every core. */
export function sumCpuTimes(cpus: CpuInfo[]): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const { times } of cpus) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

/** Busy share of all cores between two readings, 0-100; null when no time passed. */
export function hostCpuPercent(from: CpuTimes, to: CpuTimes): number | null {
  const total = to.total - from.total;
  if (total <= 0) return null;
  return clampPercent((1 - (to.idle - from.idle) / total) * 100);
}

/**
 * CPU used by this process between two `process.cpuUsage()` readings (µs), as a share
 * of the whole host (0-100) and of one core (may exceed 100 with worker threads).
 */
export function processCpuPercent(
  from: NodeJS.CpuUsage,
  to: NodeJS.CpuUsage,
  elapsedMs: number,
  cores: number,
): { host: number | null; oneCore: number | null } {
  if (elapsedMs <= 0) return { host: null, oneCore: null };
  const usedMs = (to.user - from.user + (to.system - from.system)) / 1000;
  const oneCore = (usedMs / elapsedMs) * 100;
  return { host: clampPercent(oneCore / Math.max(cores, 1)), oneCore };
}

export interface DiskUsage {
  path: string;
  total_bytes: number;
  /** Free to unprivileged processes (what a write can use). */
  available_bytes: number;
  used_bytes: number;
  /** As `df` counts it: used / (used + available). */
  used_percent: number;
}

export function diskUsageFromStatfs(
  path: string,
  stats: { bsize: number; blocks: number; bfree: number; bavail: number },
): DiskUsage {
  const total = stats.blocks * stats.bsize;
  const used = (stats.blocks - stats.bfree) * stats.bsize;
  const available = stats.bavail * stats.bsize;
  return {
    path,
    total_bytes: total,
    available_bytes: available,
    used_bytes: used,
    used_percent: used + available > 0 ? round((used / (used + available)) * 100) : 0,
  };
}

/** Usage of the file system holding `path` (its nearest existing ancestor if it does not exist yet). */
export async function diskUsage(path: string): Promise<DiskUsage> {
  let probe = path;
  for (;;) {
    try {
      return diskUsageFromStatfs(path, await statfs(probe));
    } catch (error) {
      const parent = dirname(probe);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === probe) throw error;
      probe = parent;
    }
  }
}

/** `INFO` output as a flat map (`used_memory` → `"1024"`). */
export function parseRedisInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const separator = line.indexOf(':');
    if (separator > 0) fields.set(line.slice(0, separator), line.slice(separator + 1).trim());
  }
  return fields;
}

export function clampPercent(value: number): number {
  return round(Math.min(100, Math.max(0, value)));
}

/** Two decimals: finer digits are noise in these figures. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function roundOrNull(value: number | null | undefined, digits = 2): number | null {
  return value === null || value === undefined || !Number.isFinite(value)
    ? null
    : round(value, digits);
}

/** `part` as a percent of `whole`, rounded to 0.01; 0 when `whole` is 0. */
export function rate(part: number, whole: number): number {
  return whole > 0 ? round((part / whole) * 100) : 0;
}
