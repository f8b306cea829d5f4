import { Agent, request } from 'node:http';
import { checkResponse } from './contract/openapi-contract.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json?: any;
}

/**
 * Plain node:http, not fetch or supertest: those normalise or re-encode paths, and
 * the fuzzer needs to send exactly the bytes it chose (malformed escapes, `..`); the
 * resilience suite needs a timeout that turns a hang into an error it can count.
 */
export class RawClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(url: string, options: { keepAlive?: boolean; maxSockets?: number } = {}) {
    this.base = new URL(url);
    this.agent = new Agent({
      keepAlive: options.keepAlive ?? true,
      maxSockets: options.maxSockets ?? 16,
    });
  }

  send(options: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    body?: Buffer;
    timeoutMs?: number;
  }): Promise<RawResponse> {
    return new Promise((resolveResponse, reject) => {
      const req = request(
        {
          host: this.base.hostname,
          port: this.base.port,
          method: options.method,
          path: options.url,
          agent: this.agent,
          headers: {
            ...(options.body ? { 'Content-Length': String(options.body.length) } : {}),
            ...options.headers,
          },
          timeout: options.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          // An event stream never ends: its first piece is the answer, then it is closed.
          const streaming = String(res.headers['content-type'] ?? '').includes('text/event-stream');
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            if (streaming) {
              res.destroy();
              finish();
            }
          });
          res.on('error', (error) => (streaming ? undefined : reject(error)));
          res.on('end', () => finish());
          let finished = false;
          const finish = () => {
            if (finished) return;
            finished = true;
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            if (String(res.headers['content-type'] ?? '').includes('json')) {
              try {
                json = JSON.parse(text);
              } catch {
                json = undefined;
              }
            }
            const response = { status: res.statusCode ?? 0, headers: res.headers, text, json };
            checkResponse({ method: options.method, url: options.url, ...response });
            resolveResponse(response);
          };
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`no answer in time: ${options.method} ${options.url}`)),
      );
      req.on('error', reject);
      // The server may answer (413, 415) and close before reading everything we send.
      req.end(options.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
