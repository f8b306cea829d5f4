import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStores, startTestApp, TestApp, TestStores } from './support/app.js';
import { createUser } from './support/identities.js';

const CLIENT_DIR = resolve('test', 'client');

/** What test/client/first-steps.ts answers (imported by path: it compiles only once generated). */
interface FirstSteps {
  firstSteps(baseUrl: string, credentials: { email: string; password: string }): Promise<any>;
}

describe('a client generated from /docs-json', () => {
  let stores: TestStores;
  let app: TestApp;

  beforeAll(async () => {
    stores = await createTestStores();
    app = await startTestApp(stores);
  });

  afterAll(async () => {
    await app?.close();
    await stores?.drop();
  });

  it('type-checks a first-steps script and runs it against the API', async () => {
    const document = (await app.http().get('/docs-json').expect(200)).body;
    mkdirSync(resolve(CLIENT_DIR, '.generated'), { recursive: true });
    writeFileSync(
      resolve(CLIENT_DIR, '.generated', 'api.d.ts'),
      // A field with a default is optional to send: keep it optional in request bodies.
      astToString(await openapiTS(document, { defaultNonNullable: false })),
    );

    const tsc = spawnSync(
      process.execPath,
      [
        resolve('node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        resolve(CLIENT_DIR, 'tsconfig.json'),
      ],
      { encoding: 'utf8' },
    );
    expect(tsc.stdout + tsc.stderr, 'tsc output').toBe('');
    expect(tsc.status).toBe(0);

    const { email, password } = await createUser(app.url, 'operator');
    const script = resolve(CLIENT_DIR, 'first-steps.ts');
    const { firstSteps } = (await import(script)) as FirstSteps;
    const seen = await firstSteps(app.url, { email, password });

    expect(seen.agent).toMatchObject({ agent_type: 'backend', status: expect.any(String) });
    expect(seen.tasks.design.assigned_agent).toMatchObject({ id: seen.agent.id });
    expect(seen.tasks.build.dependencies).toEqual([seen.tasks.design.id]);
    expect(seen.listed.map((task: { title: string }) => task.title).sort()).toEqual([
      'Build',
      'Design',
    ]);
    expect(
      seen.listed.find((task: { title: string }) => task.title === 'Design')?.dependents,
    ).toEqual([seen.tasks.build.id]);
    expect(seen.ready.map((task: { id: string }) => task.id)).toEqual([seen.tasks.design.id]);
    expect(seen.earlyStart.status).toBe(409);
    expect(seen.earlyStart.error).toMatchObject({ status_code: 409 });
    expect(seen.job).toMatchObject({ task_name: 'system.collect_metrics', status: 'completed' });
    expect(seen.job.result).toMatchObject({ snapshot_id: expect.any(String) });
  });
});
