import type { TestApp } from './app.js';
import { TEST_ADMIN_KEY } from './app.js';
import { apiKey } from './identities.js';

const FINISHED = ['completed', 'failed', 'cancelled'];

export interface JobRecord {
  id: string;
  task_name: string;
  status: string;
  progress: number;
  result: unknown;
  error: string | null;
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
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await app
      .http()
      .get(`/api/v2/background-tasks/${submitted.body.id}`)
      .set(apiKey(TEST_ADMIN_KEY));
    if (FINISHED.includes(body.status)) return body as JobRecord;
    if (Date.now() > deadline) throw new Error(`${taskName} still ${body.status}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}
