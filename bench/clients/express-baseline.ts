/* The plain-express baselines: one JSON route, and an upload route that writes the raw body to disk. */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import express from 'express';

const app = express();
const directory = mkdtempSync(join(tmpdir(), 'bench-express-'));
let uploads = 0;
app.get('/ping', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/upload', (req, res) => {
  const path = join(directory, `upload-${uploads++}`);
  pipeline(req, createWriteStream(path))
    .then(() => {
      rmSync(path, { force: true });
      res.status(201).json({ status: 'stored' });
    })
    .catch(() => res.status(500).end());
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.once('SIGTERM', () =>
  server.close(() => {
    rmSync(directory, { recursive: true, force: true });
    process.exit(0);
  }),
);
