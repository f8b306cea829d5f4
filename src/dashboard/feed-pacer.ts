import type { FeedEvent, FeedEventName } from './dashboard-feed.js';

/** CONTRACT §4: namespace / sends each socket at most one event per 50 ms. */
export const FEED_SPACING_MS = 50;
/** Beyond this many entities waiting, the queue is replaced by one full `dashboard_update`. */
export const FEED_MAX_QUEUED = 1_000;

export interface FeedPacerOptions {
  send: (event: FeedEventName, payload: unknown) => void;
  /** Called when the queue overflowed and was dropped: push a full `dashboard_update`. */
  onOverflow: () => void;
  spacingMs?: number;
  maxQueued?: number;
}

/** The queued event that stands for both: the newest state, under the right action. */
function coalesce(queued: FeedEvent, next: FeedEvent): FeedEvent {
  if (queued.event === 'task_update' && next.event === 'task_update') {
    // A create followed by updates is still a create, with the newest state.
    if (queued.payload.action === 'create' && next.payload.action === 'update')
      return { ...next, payload: { ...next.payload, action: 'create' } };
  }
  // Anything followed by a delete is the delete; otherwise the newest wins.
  return next;
}

/**
 * One socket's queue on namespace /. The existing dashboard keeps only its latest
 * message, so events leave one at a time, spaced; while one waits, a newer event
 * about the same entity (task, agent; the one workflow_event, dashboard_update,
 * system_metrics_update and system_alert) takes its place in the queue instead of
 * queueing behind it.
 */
export class FeedPacer {
  private readonly queue = new Map<string, FeedEvent>();
  private readonly spacingMs: number;
  private readonly maxQueued: number;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: FeedPacerOptions) {
    this.spacingMs = options.spacingMs ?? FEED_SPACING_MS;
    this.maxQueued = options.maxQueued ?? FEED_MAX_QUEUED;
  }

  get queued(): number {
    return this.queue.size;
  }

  push(item: FeedEvent): void {
    if (this.closed) return;
    const queued = this.queue.get(item.key);
    if (queued) {
      // Same entity: it keeps its place in the line (Map.set keeps insertion order).
      this.queue.set(item.key, coalesce(queued, item));
    } else if (this.queue.size >= this.maxQueued) {
      this.queue.clear();
      this.options.onOverflow();
      return;
    } else {
      this.queue.set(item.key, item);
    }
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.queue.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || !this.queue.size || this.closed) return;
    // Even when it may leave at once, an event waits for the end of this turn: events
    // delivered together (one commit) coalesce first, so one change is one message.
    const wait = Math.max(0, this.lastSentAt + this.spacingMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sendNext();
    }, wait);
    this.timer.unref?.();
  }

  private sendNext(): void {
    const [key, item] = this.queue.entries().next().value ?? [];
    if (!key || !item) return;
    this.queue.delete(key);
    this.lastSentAt = Date.now();
    this.options.send(item.event, item.payload);
    this.schedule();
  }
}
