import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { withTimeout } from '../../common/async.js';
import { SocketHub } from '../../realtime/socket-hub.service.js';
import { QueueInspector } from '../../jobs/queue-inspector.service.js';
import { MetricsRegistry } from '../../metrics/metrics-registry.service.js';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'paused'] as const;
const SCRAPE_TIMEOUT_MS = 1_000;

/** Gauges read at scrape time: Socket.IO connections and queue depths. */
@Injectable()
export class PrometheusCollectors implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly hub: SocketHub,
    private readonly queues: QueueInspector,
  ) {}

  onModuleInit(): void {
    const hub = this.hub;
    const queues = this.queues;
    new Gauge({
      name: 'subforge_socketio_connections',
      help: 'Socket.IO connections of this process (namespaces / and /v2)',
      registers: [this.metrics.registry],
      collect() {
        this.set(hub.localConnections());
      },
    });
    new Gauge({
      name: 'subforge_queue_jobs',
      help: 'Jobs per Bull queue and state (absent when Redis does not answer)',
      labelNames: ['queue', 'state'],
      registers: [this.metrics.registry],
      async collect() {
        this.reset();
        try {
          const depths = await withTimeout(queues.depths(), SCRAPE_TIMEOUT_MS, 'queues timed out');
          for (const depth of depths)
            for (const state of QUEUE_STATES) this.set({ queue: depth.name, state }, depth[state]);
        } catch {
          // No series rather than stale ones: Prometheus shows the gap.
        }
      },
    });
  }
}
