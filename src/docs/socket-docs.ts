import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import type { Express, Response } from 'express';
import { stringify } from 'yaml';
import { buildAsyncApiDocument } from './asyncapi.js';

/** The checkout or install root (the folder with package.json), from src/ or dist/src/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** Socket.IO's browser client, from the server package's own client-dist (a runtime dependency). */
function socketIoClientFile(): string {
  const packageJson = createRequire(import.meta.url).resolve('socket.io/package.json');
  return join(dirname(packageJson), 'client-dist', 'socket.io.min.js');
}

const CONSOLE_FILES: Record<string, string> = {
  'console.js': 'application/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

/**
 * The socket documents and console beside Swagger UI (public, like /docs):
 * /docs/asyncapi.json, /docs/asyncapi.yaml and /docs/socket.
 */
export function setupSocketDocs(app: INestApplication, version: string): void {
  const document = buildAsyncApiDocument(app, version);
  const json = JSON.stringify(document);
  const yaml = stringify(document);
  const consoleDir = resolve(packageRoot(), 'public', 'socket-console');
  const clientFile = socketIoClientFile();
  const http = app.getHttpAdapter().getInstance() as Express;
  const send = (res: Response, type: string, body: string) =>
    res.type(type).set('Cache-Control', 'no-cache').send(body);

  http.get('/docs/asyncapi.json', (_req, res) => send(res, 'application/json', json));
  http.get('/docs/asyncapi.yaml', (_req, res) => send(res, 'application/yaml', yaml));
  http.get('/docs/socket', (_req, res) => {
    res.set('Cache-Control', 'no-cache').sendFile(join(consoleDir, 'index.html'));
  });
  http.get('/docs/socket/socket.io.min.js', (_req, res) => {
    res.type('application/javascript').sendFile(clientFile);
  });
  for (const [file, type] of Object.entries(CONSOLE_FILES))
    http.get(`/docs/socket/${file}`, (_req, res) => {
      res.type(type).set('Cache-Control', 'no-cache').sendFile(join(consoleDir, file));
    });
}
