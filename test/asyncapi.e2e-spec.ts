import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStores, startTestApp, TestApp, TestStores } from './support/app.js';
import { ASYNCAPI_FILE } from './support/contract/openapi-contract.js';

/** /docs/asyncapi.json and .yaml: the socket surface, readable by AsyncAPI's own parser. */
describe('AsyncAPI document', () => {
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

  it('parses with @asyncapi/parser without errors', async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(ASYNCAPI_FILE, 'utf8'));
    // Spectral severity 0 is an error.
    expect(
      diagnostics
        .filter((d) => Number(d.severity) === 0)
        .map((d) => `${d.path.join('.')}: ${d.message}`),
    ).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const v2 = document!.channels().get('v2')!;
    const names = v2
      .messages()
      .all()
      .map((message) => message.name());
    for (const name of [
      'agent_update',
      'task_update',
      'workflow_update',
      'job_update',
      'file_update',
      'metrics_update',
      'system_notification',
      'room_message',
      'task_assigned',
      'agent_command',
      'event_history',
      'replay_truncated',
      'join_room',
      'leave_room',
      'replay',
      'ping',
      'reauth',
      'agent_heartbeat',
      'task_progress',
      'task_complete',
      'task_fail',
    ])
      expect(names).toContain(name);
    const feed = document!.channels().get('feed')!;
    expect(feed.address()).toBe('/');
    expect(
      feed
        .messages()
        .all()
        .map((message) => message.name()),
    ).toEqual(
      expect.arrayContaining(['agent_status_update', 'task_update', 'workflow_event', 'pong']),
    );
  });

  it('is served as JSON and YAML, publicly, with the rooms and who may join them', async () => {
    const json = await app.http().get('/docs/asyncapi.json').expect(200);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    const yaml = await app.http().get('/docs/asyncapi.yaml').expect(200);
    expect(yaml.headers['content-type']).toMatch(/yaml/);
    expect(parseYaml(yaml.text)).toEqual(json.body);
    const rooms = json.body.channels.v2['x-rooms'] as {
      room: string;
      may_join: string[];
      own_only?: boolean;
    }[];
    expect(rooms.find((r) => r.room === 'admin')!.may_join).toEqual(['admin']);
    expect(rooms.find((r) => r.room === 'agent:<id>')).toMatchObject({
      may_join: ['admin', 'agent'],
      own_only: true,
    });
    expect(rooms.find((r) => r.room === 'jobs')!.may_join).not.toContain('agent');
    expect(json.body.channels.v2.messages.agent_update['x-rooms']).toEqual([
      'agents',
      'agent:<id>',
    ]);
  });

  it('GET / points at the socket documents and console, which exist', async () => {
    const info = await app.http().get('/').expect(200);
    for (const url of [info.body.asyncapi_url, info.body.socket_console_url])
      await app.http().get(url).expect(200);
    const client = await app.http().get('/docs/socket/socket.io.min.js').expect(200);
    expect(client.headers['content-type']).toMatch(/javascript/);
  });
});
