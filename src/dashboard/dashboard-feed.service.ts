import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { EventStream } from '../realtime/event-stream.service.js';
import { DashboardService } from './dashboard.service.js';
import { FeedSockets } from './feed-sockets.service.js';

/** At most one `dashboard_update` a second. */
const COALESCE_MS = 1_000;
const MOVES_OVERVIEW = new Set(['agent_update', 'task_update']);

/**
 * `dashboard_update` on namespace /: after changes that move the overview figures
 * (agents, tasks), the new overview, computed at most once a second per instance and
 * queued behind the change on each socket (never in the same instant: see FeedPacer).
 * Also the full update a socket gets when its queue overflowed.
 */
@Injectable()
export class DashboardFeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger('DashboardFeed');
  private timer?: NodeJS.Timeout;
  private lastSent = 0;

  constructor(
    private readonly stream: EventStream,
    private readonly feed: FeedSockets,
    private readonly dashboard: DashboardService,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'worker') return;
    this.feed.setFullOverview(() => this.dashboard.overview());
    this.stream.onEvent((event) => {
      if (MOVES_OVERVIEW.has(event.type)) this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastSent + COALESCE_MS - Date.now());
    this.timer = setTimeout(() => void this.send(), wait);
    this.timer.unref();
  }

  private async send(): Promise<void> {
    this.timer = undefined;
    this.lastSent = Date.now();
    if (!this.feed.connections()) return;
    try {
      const payload = await this.dashboard.overview();
      this.feed.send({ event: 'dashboard_update', key: 'dashboard_update', payload });
    } catch (error) {
      this.logger.warn(`dashboard_update skipped: ${(error as Error).message}`);
    }
  }
}
