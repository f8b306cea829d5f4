/*
 * The service as `npm start` runs it (compiled, NODE_ENV=production), plus one job
 * type that does nothing, so the job benchmark measures the job system itself.
 */
import 'reflect-metadata';
import { Module, type OnModuleInit } from '@nestjs/common';
import { loadConfig } from '../src/config/config.js';
import { startService } from '../src/bootstrap.js';
import { JobCatalog } from '../src/jobs/job-catalog.service.js';
import { QUEUES } from '../src/jobs/queues.js';

/** Registers `bench.noop` as feature modules register theirs: before any worker takes a job. */
@Module({})
class BenchJobsModule implements OnModuleInit {
  constructor(private readonly catalog: JobCatalog) {}

  onModuleInit(): void {
    this.catalog.register({
      name: 'bench.noop',
      description: 'benchmark only: returns at once',
      queue: QUEUES.system,
      schema: { type: 'object', additionalProperties: false },
      handler: async () => null,
    });
  }
}

const service = await startService(loadConfig(), undefined, [BenchJobsModule]);
// The harness waits for this line (logs are at warn level during benchmarks).
process.stdout.write(service.url ? `listening on ${service.url}\n` : 'processing jobs\n');
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void service.shutdown().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
