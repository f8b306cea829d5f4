import type { TestApp } from './app.js';
import { TEST_ADMIN_KEY } from './app.js';
import { apiKey } from './identities.js';
import { pollUntil } from './poll.js';

const FINISHED = ['completed', 'failed', 'cancelled'];

/** A job record as the API answers it (the fields tests read most, and the rest). */
export interface JobRecord {
  id: string;
  task_name: string;
  status: string;
  progress: number;
  result: any;
  error: string | null;
  [field: string]: any;
}

/** Submits a job over the API as `key` and waits for its record to finish. */
export async function runJob(
  app: TestApp,
  taskName: string,
  parameters: Record<string, unknown>,
  key = TEST_ADMIN_KEY,
  timeoutMs = 30_000,
): Promise<JobRecord> {
  const submitted = await app
    .http()
    .post('/api/v2/background-tasks')
    .set(apiKey(key))
    .send({ task_name: taskName, parameters });
  if (submitted.status !== 201)
    throw new Error(`submit ${taskName}: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  return waitForJob(app, submitted.body.id as string, FINISHED, timeoutMs);
}

/** Waits for a job record to reach one of `statuses`; fails naming the one it is in. */
export async function waitForJob(
  app: TestApp,
  id: string,
  statuses: string[],
  timeoutMs = 30_000,
): Promise<JobRecord> {
  const record = await pollUntil(
    async () =>
      (
        await app
          .http()
          .get(`/api/v2/background-tasks/${id}`)
          .set(apiKey(TEST_ADMIN_KEY))
          .expect(200)
      ).body as JobRecord,
    (body) => statuses.includes(body.status),
    { timeoutMs, everyMs: 50 },
  );
  if (!statuses.includes(record.status))
    throw new Error(`job ${id} is ${record.status}, not ${statuses.join('|')}`);
  return record;
}
