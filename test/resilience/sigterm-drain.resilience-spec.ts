import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../../src/common/async.js';
import {
  createTestStores,
  SpawnedApp,
  spawnService,
  TEST_ADMIN_KEY,
  TestStores,
} from '../support/app.js';
import { closing, newBoundary, partHeader } from '../support/multipart.js';
import { recordFault } from './support/faults.js';
import { Api } from './support/http.js';
import { LoadLoop } from './support/load.js';

const UPLOAD_BYTES = 3 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const CHUNK_EVERY_MS = 50;

/** Sends a request body in pieces, `everyMs` apart: the request is in flight all along. */
function slowRequest(
  url: string,
  path: string,
  contentType: string,
  pieces: Buffer[],
  everyMs: number,
): Promise<{ status: number; body: any; ms: number }> {
  const target = new URL(path, url);
  const started = Date.now();
  return new Promise((resolveRequest, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'X-API-Key': TEST_ADMIN_KEY, 'Content-Type': contentType },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () =>
          resolveRequest({
            status: res.statusCode ?? 0,
            body: JSON.parse(text),
            ms: Date.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const queue = [...pieces];
    req.write(queue.shift()!);
    const timer = setInterval(() => {
      const piece = queue.shift()!;
      if (queue.length) {
        req.write(piece);
      } else {
        clearInterval(timer);
        req.end(piece);
      }
    }, everyMs);
  });
}

/** A 3 MiB text file in 64 KiB pieces, one every 50 ms. */
function slowUpload(url: string, name: string) {
  const boundary = newBoundary();
  const pieces = [partHeader(boundary, { name: 'files', filename: name })];
  for (let sent = 0; sent < UPLOAD_BYTES; sent += CHUNK_BYTES)
    pieces.push(Buffer.alloc(Math.min(CHUNK_BYTES, UPLOAD_BYTES - sent), 'a'));
  pieces.push(Buffer.concat([Buffer.from('\r\n'), closing(boundary)]));
  return slowRequest(
    url,
    '/api/v2/files/upload/data_files',
    `multipart/form-data; boundary=${boundary}`,
    pieces,
    CHUNK_EVERY_MS,
  );
}

/** A task whose JSON body arrives in two halves, 2 s apart. */
function slowTask(url: string, title: string) {
  const body = Buffer.from(JSON.stringify({ title }));
  const half = Math.floor(body.length / 2);
  return slowRequest(
    url,
    '/api/v2/tasks',
    'application/json',
    [body.subarray(0, half), body.subarray(half)],
    2_000,
  );
}

/**
 * SIGTERM while requests are in flight: the server stops taking connections, lets
 * what it accepted finish (slow uploads included), and exits 0 within 10 s.
 */
describe('SIGTERM under load', () => {
  let stores: TestStores;
  let service: SpawnedApp;
  let api: Api;

  beforeAll(async () => {
    stores = await createTestStores();
    service = await spawnService({ ...stores.env, ROLE: 'api' });
    api = new Api(service.url);
  });

  afterAll(async () => {
    api?.close();
    await service?.stop();
    await stores?.drop();
  });

  it('completes what is in flight and exits 0 within 10 s', async () => {
    const load = new LoadLoop(
      { concurrency: 8, maxRequests: 5_000, maxMs: 30_000, pauseMs: 20 },
      async (index) => {
        const response =
          index % 4 === 3
            ? await api.post('/api/v2/tasks', { title: `drain ${index}` })
            : await api.get('/api/v2/tasks?limit=20');
        return {
          label: response.headers.connection === 'close' ? 'closing' : 'open',
          status: response.status,
        };
      },
    ).start();
    const uploads = ['one', 'two', 'three'].map((name) => slowUpload(service.url, `${name}.txt`));
    const tasks = ['a', 'b', 'c', 'd'].map((name) => slowTask(service.url, `slow ${name}`));
    await sleep(1_000);

    const signalledAt = Date.now();
    const exit = service.stop('SIGTERM');
    recordFault('api SIGTERM under load');
    const finished = await Promise.all(uploads);
    const written = await Promise.all(tasks);
    const code = await exit;
    const exitedAfter = Date.now() - signalledAt;
    const outcomes = await load.stop();

    expect(code).toBe(0);
    expect(exitedAfter).toBeLessThan(10_000);
    // The uploads started before the signal and finished after it, whole.
    for (const upload of finished) {
      expect(upload.status).toBe(201);
      expect(upload.body.files[0].file_size).toBe(UPLOAD_BYTES);
    }
    for (const task of written) {
      expect(task.status).toBe(201);
      expect(task.body.title).toMatch(/^slow /);
    }
    // Requests the server was surely working on (sent 100 ms or more before the
    // signal, not yet answered) all got their answer, a success.
    const inFlight = outcomes.filter((o) => o.at <= signalledAt - 100 && o.at + o.ms > signalledAt);
    expect(inFlight.filter((o) => o.status !== 200 && o.status !== 201)).toEqual([]);
    // Nothing was answered with an error; requests sent too late (or at the very moment
    // the server let its idle connections go) found no listener.
    const answered = outcomes.filter((o) => o.status);
    expect(answered.length).toBeGreaterThan(20);
    expect(answered.filter((o) => o.status !== 200 && o.status !== 201)).toEqual([]);
    const late = outcomes.filter((o) => !o.status);
    expect(
      late
        .filter(
          (o) =>
            o.at < signalledAt - 100 ||
            !/ECONNREFUSED|ECONNRESET|socket hang up/.test(o.error ?? ''),
        )
        .map((o) => ({ ...o, at: o.at - signalledAt })),
    ).toEqual([]);
    // Answers given while draining tell keep-alive clients to let go.
    const drained = answered.filter((o) => o.at >= signalledAt + 100);
    expect(drained.filter((o) => o.label !== 'closing')).toEqual([]);
    console.log(
      `sigterm: exit 0 after ${exitedAfter} ms; in flight at the signal and completed: ` +
        `${finished.length} uploads of ${UPLOAD_BYTES} bytes (the last after ${Math.max(...finished.map((u) => u.ms))} ms), ` +
        `${written.length} slow writes; ` +
        `${answered.length} requests answered (${inFlight.length} in flight at the signal, ${drained.length} answered while draining), ` +
        `${late.length} refused after the listener closed`,
    );
  });
});
