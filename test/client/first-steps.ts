// A first session with the API through a client typed from `/docs-json`: the generated
// `.generated/api.d.ts` is written by test/generated-client.e2e-spec.ts before this file is
// type-checked and run, so a change to the published document that breaks these calls fails there.
import createClient from 'openapi-fetch';
import type { paths } from './.generated/api.js';

export interface Credentials {
  email: string;
  password: string;
}

/** Fails with the route and the error body the API answered with. */
function required<T>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined)
    throw new Error(`${what}: ${result.response.status} ${JSON.stringify(result.error)}`);
  return result.data;
}

/**
 * Signs in, registers an agent, creates two tasks where the second depends on the first,
 * lists them, submits a metrics-collection job and reads its result.
 */
export async function firstSteps(baseUrl: string, credentials: Credentials) {
  const client = createClient<paths>({ baseUrl });

  const token = required(
    'login',
    await client.POST('/api/v2/auth/login', { body: credentials }),
  ).access_token;
  client.use({
    onRequest: ({ request }) => {
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
  });

  const agent = required(
    'create agent',
    await client.POST('/api/v2/agents', {
      body: { name: `first-steps-${Date.now()}`, agent_type: 'backend' },
    }),
  );

  const tag = `first-steps-${agent.id}`;
  const design = required(
    'create task',
    await client.POST('/api/v2/tasks', {
      body: { title: 'Design', priority: 'high', tags: [tag], assigned_agent_id: agent.id },
    }),
  );
  const build = required(
    'create dependent task',
    await client.POST('/api/v2/tasks', {
      body: { title: 'Build', priority: 'medium', tags: [tag], dependencies: [design.id] },
    }),
  );

  const listed = required(
    'list tasks',
    await client.GET('/api/v2/tasks', { params: { query: { tags: [tag] } } }),
  );
  const ready = required(
    'list ready tasks',
    await client.GET('/api/v2/tasks', { params: { query: { tags: [tag], ready: true } } }),
  );
  // The dependent task cannot start while its dependency is unfinished.
  const earlyStart = await client.POST('/api/v2/tasks/{id}/start', {
    params: { path: { id: build.id } },
    body: {},
  });

  const submitted = required(
    'submit job',
    await client.POST('/api/v2/background-tasks', {
      body: { task_name: 'system.collect_metrics', parameters: {} },
    }),
  );
  let job = submitted;
  for (let waited = 0; !['completed', 'failed', 'cancelled'].includes(job.status); waited += 50) {
    if (waited > 30_000) throw new Error(`job ${job.id} still ${job.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    job = required(
      'read job',
      await client.GET('/api/v2/background-tasks/{id}', { params: { path: { id: job.id } } }),
    );
  }

  return {
    agent,
    tasks: { design, build },
    listed: listed.data,
    ready: ready.data,
    earlyStart: { status: earlyStart.response.status, error: earlyStart.error },
    job,
  };
}
