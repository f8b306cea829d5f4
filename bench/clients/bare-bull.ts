/* Bare Bull baseline: `count` no-op jobs on one queue, processed at `concurrency`. */
import Bull from 'bull';
import { clientArgs, printResultAndExit } from '../lib/proc.js';

interface Args {
  redisUrl: string;
  count: number;
  concurrency: number;
}

const args = clientArgs<Args>();
const queue = new Bull('bare', args.redisUrl, { prefix: 'bench-bare' });
await queue.obliterate({ force: true });
await queue.addBulk(
  Array.from({ length: args.count }, (_, i) => ({
    name: 'noop',
    data: { i },
    opts: { removeOnComplete: 1000 },
  })),
);
let done = 0;
let first = 0;
const finished = new Promise<number>((resolveDone) => {
  queue.on('completed', () => {
    done++;
    if (done === args.count) resolveDone(performance.now());
  });
});
void queue.process('noop', args.concurrency, async () => {
  if (!first) first = performance.now();
  return null;
});
const last = await finished;
const seconds = (last - first) / 1000;
await queue.obliterate({ force: true });
await queue.close();
printResultAndExit({ jobs: args.count, seconds, jobs_per_second: args.count / seconds });
