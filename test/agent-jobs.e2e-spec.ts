import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestStores,
  startTestApp,
  TEST_ADMIN_KEY,
  TestApp,
  TestStores,
} from './support/app.js';
import { apiKey, createApiKey } from './support/identities.js';
import { filesForm } from './support/multipart.js';
import { connectSocket } from './support/socket.js';
import { sleep } from './support/poll.js';

const admin = apiKey(TEST_ADMIN_KEY);

describe('agents through background jobs', () => {
  let stores: TestStores;
  let app: TestApp;

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores, { AGENT_OFFLINE_AFTER_SECONDS: '2' });
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
  });

  async function jobsOf(name: string) {
    const { body } = await app
      .http()
      .get(`/api/v2/background-tasks?task_name=${name}&limit=100`)
      .set(admin)
      .expect(200);
    return body.data as { id: string; status: string; result: any; parameters: any }[];
  }

  it('creates and updates agents from uploaded configuration files, reporting broken ones with lines', async () => {
    const operator = await createApiKey(app.url, 'operator');
    const good =
      'name: reviewer\nagent_type: code-reviewer\nmodel: claude-sonnet\ntools: [read, grep]\ncapabilities: [review]\ntemperature: 0.2\n';
    const broken =
      '{\n  "name": "broken",\n  "agent_type": "tester",\n  "model": "m",\n  "temperature": 5\n}\n';
    const form = filesForm([
      { filename: 'reviewer.yaml', content: good },
      { filename: 'broken.json', content: broken },
    ]);
    const uploaded = await app
      .http()
      .post('/api/v2/files/upload/agent_configs')
      .set(apiKey(operator.key))
      .set('Content-Type', form.contentType)
      .send(form.body)
      .expect(201);
    const [goodId, brokenId] = uploaded.body.files.map(
      (file: { id: string }) => file.id,
    ) as string[];

    let job: Awaited<ReturnType<typeof jobsOf>>[number] | undefined;
    for (let tries = 0; tries < 200 && job?.status !== 'completed'; tries++) {
      [job] = await jobsOf('files.process_agent_configs');
      if (job?.status !== 'completed') await sleep(50);
    }
    expect(job).toMatchObject({
      status: 'completed',
      parameters: { file_ids: [goodId, brokenId] },
    });
    expect(job!.result).toMatchObject({ created: 1, updated: 0, failed: 1 });
    const [created, refused] = job!.result.results;
    expect(created).toMatchObject({ file_id: goodId, ok: true, action: 'created' });
    expect(refused).toMatchObject({ file_id: brokenId, ok: false });
    expect(refused.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'temperature', line: 5 })]),
    );

    const { body: agent } = await app
      .http()
      .get(`/api/v2/agents/${created.agent_id}`)
      .set(admin)
      .expect(200);
    expect(agent).toMatchObject({
      name: 'reviewer',
      agent_type: 'code-reviewer',
      model: 'claude-sonnet',
      tools: ['read', 'grep'],
      capabilities: ['review'],
      configuration: { temperature: 0.2 },
    });

    // The same agent, changed: updated in place, not created twice.
    const changed = filesForm([
      { filename: 'reviewer-v2.yaml', content: good.replace('claude-sonnet', 'claude-opus') },
    ]);
    await app
      .http()
      .post('/api/v2/files/upload/agent_configs')
      .set(apiKey(operator.key))
      .set('Content-Type', changed.contentType)
      .send(changed.body)
      .expect(201);
    for (let tries = 0; tries < 200; tries++) {
      const { body } = await app
        .http()
        .get(`/api/v2/agents/${created.agent_id}`)
        .set(admin)
        .expect(200);
      if (body.model === 'claude-opus') break;
      await sleep(50);
    }
    const { body: agents } = await app
      .http()
      .get('/api/v2/agents?search=reviewer')
      .set(admin)
      .expect(200);
    expect(agents.data).toHaveLength(1);
    expect(agents.data[0].model).toBe('claude-opus');
  });

  it('marks a silent agent offline through the scheduled heartbeat check, and dashboards see it', async () => {
    const { body: agent } = await app
      .http()
      .post('/api/v2/agents')
      .set(admin)
      .send({ name: 'quiet', agent_type: 'worker' })
      .expect(201);
    const key = await createApiKey(app.url, 'agent', agent.id);
    const agentSocket = await connectSocket(app.url, { token: key.key });
    expect(await agentSocket.ack('agent_heartbeat', { status: 'active' })).toMatchObject({
      ok: true,
    });
    const dashboard = await connectSocket(app.url, { token: TEST_ADMIN_KEY, rooms: ['agents'] });
    agentSocket.close();
    const silentSince = Date.now();
    const offline = await dashboard.waitFor(
      'agent_update',
      (event) => event.data.agent?.id === agent.id && event.data.agent.status === 'offline',
      2_000 + 15_000 + 5_000,
    );
    expect(Date.now() - silentSince).toBeLessThan(2_000 + 15_000 + 3_000);
    expect(offline.data.event).toBe('status_changed');
    // The check that did it is recorded as a completed internal job (its record is
    // written in the writer's next batch, a moment after its events).
    const deadline = Date.now() + 5_000;
    for (;;) {
      const checks = await app
        .http()
        .get('/api/v2/background-tasks?task_name=agents.check_heartbeats&include_internal=true')
        .set(admin)
        .expect(200);
      const completed = checks.body.data.some(
        (job: { internal: boolean; status: string }) => job.internal && job.status === 'completed',
      );
      if (completed) break;
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    dashboard.close();
  }, 40_000);
});
