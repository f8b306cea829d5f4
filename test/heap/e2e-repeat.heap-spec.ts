import { describe, expect, it } from 'vitest';
import { sleep } from '../support/poll.js';

const MB = 1024 * 1024;
/** The suites whose test process once ran out of heap; each round runs both in full. */
const SUITES = ['../realtime.e2e-spec.ts', '../dashboard.e2e-spec.ts'];
/** HEAP_E2E_ROUNDS=10 npm run test:heap runs more rounds. */
const ROUNDS = Number(process.env.HEAP_E2E_ROUNDS ?? 4);

/** Heap in use once everything unreachable is collected (the process runs with --expose-gc). */
async function settledHeap(): Promise<number> {
  let heap = Infinity;
  for (let i = 0; i < 4; i++) {
    await sleep(50);
    global.gc!();
    heap = Math.min(heap, process.memoryUsage().heapUsed);
  }
  return heap;
}

const heaps: number[] = [];

/**
 * The realtime and dashboard suites, run again and again in one process: each import
 * with its own query is a new module, so every round registers the suites afresh (their
 * own stores, apps, sockets), as separate runs of the files would. The first round warms up.
 */
describe('heap over repeated realtime and dashboard suites', () => {
  for (let round = 0; round < ROUNDS; round++) {
    describe(`round ${round + 1}`, async () => {
      for (const suite of SUITES) await import(`${suite}?round=${round}`);
      it('collects the heap after the round', async () => {
        heaps.push(await settledHeap());
      });
    });
  }

  it('stays flat after the warm-up round', () => {
    const [, baseline, ...later] = heaps;
    const report = heaps.map((heap) => `${(heap / MB).toFixed(1)} MB`).join(', ');
    console.log(`heap after each round of the realtime and dashboard suites: ${report}`);
    expect(heaps).toHaveLength(ROUNDS);
    for (const heap of later) expect(heap - baseline).toBeLessThan(8 * MB);
  });
});
