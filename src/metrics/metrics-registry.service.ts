import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Request duration buckets (seconds): 5 ms … 10 s. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processRegistry: Registry | undefined;

/**
 * The default process metrics (CPU, memory, event-loop lag, GC), collected once per
 * process: they describe the process, and prom-client's GC observer can never be
 * stopped, so one per app would keep every closed app of a process reachable.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The Prometheus registry of this app (not prom-client's global one, so several apps
 * in one process keep their own series): the HTTP request histogram, and what other
 * collectors add; served after the process's default metrics.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor() {
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers: [this.registry],
    });
  }

  observeHttp(method: string, route: string, status: number, durationMs: number): void {
    this.httpDuration.observe({ method, route, status_code: String(status) }, durationMs / 1000);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async metrics(): Promise<string> {
    const [process, app] = await Promise.all([processMetrics().metrics(), this.registry.metrics()]);
    return `${process}\n${app}`;
  }
}
