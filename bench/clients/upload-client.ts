/*
 * Sends `count` multipart uploads of one `.log` file of `fileBytes` bytes, `concurrency`
 * at a time, written in 1 MiB chunks as a browser would stream them; prints JSON with
 * the bytes sent, the time taken, the statuses and the stored files' ids.
 */
import { request } from 'node:http';
import { clientArgs } from '../lib/proc.js';

interface Args {
  url: string;
  path: string;
  headers: Record<string, string>;
  fileBytes: number;
  count: number;
  concurrency: number;
}

const args = clientArgs<Args>();
const CHUNK = 1024 * 1024;
const line = Buffer.from('2026-11-25T12:00:00Z INFO agent-7 step completed in 41 ms\n');
const chunk = Buffer.alloc(CHUNK);
for (let offset = 0; offset < CHUNK; offset += line.length) line.copy(chunk, offset);

/** Ids of the stored files, in the order their uploads finished. */
const ids: string[] = [];

function upload(index: number): Promise<number> {
  const boundary = `----bench-${index}-${Date.now()}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="bench-${index}.log"\r\nContent-Type: text/plain\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(args.url + args.path);
  return new Promise((resolveUpload, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          ...args.headers,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': head.length + args.fileBytes + tail.length,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (piece: string) => (body += piece));
        res.once('end', () => {
          // The service lists the stored files; the plain express twin stores nothing.
          if (res.statusCode === 201)
            ids.push(
              ...((JSON.parse(body) as { files?: { id: string }[] }).files ?? []).map((f) => f.id),
            );
          resolveUpload(res.statusCode ?? 0);
        });
      },
    );
    req.once('error', reject);
    req.write(head);
    let left = args.fileBytes;
    const pump = () => {
      while (left > 0) {
        // ASCII lines (the last one may be cut): valid UTF-8 text.
        const size = Math.min(CHUNK, left);
        left -= size;
        if (!req.write(size === CHUNK ? chunk : chunk.subarray(0, size))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(tail);
    };
    pump();
  });
}

const started = performance.now();
const statuses: Record<string, number> = {};
let next = 0;
await Promise.all(
  Array.from({ length: args.concurrency }, async () => {
    while (next < args.count) {
      const status = await upload(next++);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ bytes: args.fileBytes * args.count, seconds, statuses, ids })}\n`,
);
