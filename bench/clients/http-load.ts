/* A load client in its own process: autocannon against one URL, printing a JSON summary. */
import autocannon from 'autocannon';
import { clientArgs } from '../lib/proc.js';

interface Args {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
  method?: 'GET' | 'POST';
  body?: string;
}

const args = clientArgs<Args>();
const result = await autocannon({
  url: args.url,
  headers: args.headers,
  method: args.method ?? 'GET',
  body: args.body,
  connections: args.connections,
  duration: args.durationSeconds,
  pipelining: 1,
});
process.stdout.write(
  `${JSON.stringify({
    requests_per_second: result.requests.average,
    latency_p50_ms: result.latency.p50,
    latency_p99_ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
