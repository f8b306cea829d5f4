import { appendFileSync } from 'node:fs';

/**
 * Counts an injected fault (a server killed, stopped or restarted, a worker killed).
 * The suite's global setup gives every test file the same log and prints the total.
 */
export function recordFault(kind: string): void {
  const log = process.env.RESILIENCE_FAULT_LOG;
  if (log) appendFileSync(log, `${kind}\n`);
}
