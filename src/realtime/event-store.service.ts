import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { InjectRuntime, type Runtime } from '../config/config.module.js';
import { poolOptions } from '../database/data-source.js';
import { EventEnvelope, type EventStamp, toEnvelope } from './event.entity.js';
import type { RoutedEvent } from './event-routing.js';
import type { ReadableRooms } from './rooms.js';

/** Serialises event writers across every process, so ids commit in increasing order. */
const EVENT_APPEND_LOCK = 72_061_003;
/** One connection appends while the other reads for delivery. */
const LIVE_POOL_SIZE = 2;
export const EVENTS_CHANNEL = 'subforge_events';
/** History is read in batches of at most this many rows... */
export const HISTORY_BATCH_ROWS = 1_000;
/** ...or this many bytes of event data (a batch holds at least one event). */
export const HISTORY_BATCH_BYTES = 4 * 1024 * 1024;

type Query = (sql: string, params: unknown[]) => Promise<EventRow[]>;

interface EventRow {
  id: string;
  type: string;
  rooms: string[];
  data: Record<string, unknown>;
  created_at: Date;
}

export interface HistoryFilter {
  rooms?: string[];
  types?: string[];
  afterId?: string;
  since?: Date;
  limit: number;
  /** Without `afterId` and `since`: the newest `limit` events (still in id order), not the oldest. */
  newestWhenUnbounded?: boolean;
  /** Only events with at least one of these rooms; unset: every event. */
  readable?: ReadableRooms | null;
}

/**
 * The durable event history in PostgreSQL. Appends take an advisory lock for the
 * length of their (one-statement) transaction: ids are drawn and committed in order, and
 * the NOTIFY in the same transaction reaches listeners in commit order. A reader
 * that has seen id N has therefore seen every id below N: replay never skips an
 * event that a slower writer committed late.
 */
@Injectable()
export class EventStore {
  /**
   * The live path (appends, and the reads that deliver them) has connections of its
   * own: it never waits behind the requests' transactions in the main pool, so an
   * event is stored, and heard, as soon as its change commits.
   */
  private readonly live: pg.Pool;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRuntime() runtime: Runtime,
  ) {
    this.live = new pg.Pool({
      connectionString: runtime.databaseUrl,
      application_name: 'subforge-events',
      ...poolOptions(LIVE_POOL_SIZE),
    });
    // An idle connection that breaks (the server restarted) is dropped and replaced.
    this.live.on('error', () => undefined);
  }

  /** Called by the event bus once it has written what was left (shutdown). */
  async close(): Promise<void> {
    await this.live.end();
  }

  /** Stores events in order; answers each one's id and time (not its data back again). */
  async append(events: RoutedEvent[]): Promise<EventStamp[]> {
    if (!events.length) return [];
    // One statement (migration EventAppend): lock, insert, notify, commit.
    const { rows } = await this.live.query<{ id: string; created_at: Date }>(
      'SELECT id, created_at FROM append_events($1, $2, $3::text[], $4::jsonb[], $5::jsonb[])',
      [
        EVENT_APPEND_LOCK,
        EVENTS_CHANNEL,
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.rooms)),
        events.map((e) => JSON.stringify(e.data)),
      ],
    );
    return rows.map((row) => ({ id: String(row.id), timestamp: row.created_at.toISOString() }));
  }

  /** The next batch of events after `afterId` up to `upToId`, in id order (for live delivery). */
  async range(afterId: string, upToId: string): Promise<EventEnvelope[]> {
    const query: Query = async (sql, params) => (await this.live.query<EventRow>(sql, params)).rows;
    return (await this.batch(query, 'id <= $1', [upToId], afterId, HISTORY_BATCH_ROWS)).map(
      toEnvelope,
    );
  }

  /**
   * One batch of events matching `condition` (placeholders from $1 over `params`) after
   * `afterId`, oldest first: at most `rows` rows (≤ 1,000) and, past the first event,
   * at most 4 MiB of data.
   */
  private async batch(
    query: Query,
    condition: string,
    params: unknown[],
    afterId: string,
    rows: number,
  ): Promise<EventRow[]> {
    const n = params.length;
    return query(
      `SELECT id, type, rooms, data, created_at FROM (
         SELECT *, sum(size) OVER (ORDER BY id) - size AS before FROM (
           SELECT id, type, rooms, data, created_at, octet_length(data::text) AS size FROM events
           WHERE ${condition ? `(${condition}) AND ` : ''}id > $${n + 1} ORDER BY id LIMIT $${n + 2}
         ) page
       ) sized WHERE before < $${n + 3} ORDER BY id`,
      [...params, afterId, Math.min(rows, HISTORY_BATCH_ROWS), HISTORY_BATCH_BYTES],
    );
  }

  /**
   * Events matching `condition` after `afterId`, oldest first, at most `limit`, handed
   * over one batch (≤ 1,000 rows or 4 MiB) at a time.
   */
  async *batches(
    condition: string,
    params: unknown[],
    afterId: string,
    limit: number,
  ): AsyncGenerator<EventEnvelope[]> {
    const query: Query = (sql, values) => this.dataSource.query<EventRow[]>(sql, values);
    let cursor = afterId;
    let left = limit;
    while (left > 0) {
      const rows = await this.batch(query, condition, params, cursor, left);
      if (!rows.length) return;
      yield rows.map(toEnvelope);
      left -= rows.length;
      cursor = rows[rows.length - 1].id;
    }
  }

  async lastId(): Promise<string> {
    const rows: { id: string | null }[] = await this.dataSource.query(
      'SELECT max(id)::text AS id FROM events',
    );
    return rows[0].id ?? '0';
  }

  async oldestId(): Promise<string | null> {
    const rows: { id: string | null }[] = await this.dataSource.query(
      'SELECT min(id)::text AS id FROM events',
    );
    return rows[0].id;
  }

  /** History filtered by rooms, types, id and time, oldest first. */
  async find(filter: HistoryFilter): Promise<{ events: EventEnvelope[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (filter.rooms?.length) add('rooms && ?::text[]', filter.rooms);
    if (filter.types?.length) add('type = ANY(?::text[])', filter.types);
    if (filter.afterId) add('id > ?', filter.afterId);
    if (filter.since) add('created_at >= ?', filter.since);
    if (filter.readable) {
      add(
        'EXISTS (SELECT 1 FROM unnest(rooms) AS r WHERE r = ANY(?::text[])',
        filter.readable.exact,
      );
      const patterns = filter.readable.prefixes.map((prefix) => `${prefix}%`);
      params.push(patterns);
      where[where.length - 1] += ` OR r LIKE ANY($${params.length}::text[]))`;
    }
    const condition = where.join(' AND ');
    const from =
      filter.newestWhenUnbounded && !filter.afterId && !filter.since
        ? await this.beforeNewest(condition, params, filter.limit)
        : '0';
    const [events, count] = await Promise.all([
      (async () => {
        const found: EventEnvelope[] = [];
        for await (const batch of this.batches(condition, params, from, filter.limit))
          found.push(...batch);
        return found;
      })(),
      this.dataSource.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM events ${condition ? `WHERE ${condition}` : ''}`,
        params,
      ),
    ]);
    return { events, total: count[0].total };
  }

  /** The id just before the newest `limit` events matching `condition` ('0' when there are fewer). */
  private async beforeNewest(condition: string, params: unknown[], limit: number): Promise<string> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id::text AS id FROM events ${condition ? `WHERE ${condition}` : ''}
        ORDER BY id DESC OFFSET $${params.length + 1} LIMIT 1`,
      [...params, limit],
    );
    return rows[0]?.id ?? '0';
  }

  async count(): Promise<number> {
    const rows: { total: number }[] = await this.dataSource.query(
      'SELECT count(*)::int AS total FROM events',
    );
    return rows[0].total;
  }

  /**
   * Events of `rooms` after `afterId`, oldest first, at most `max`, in batches. When more
   * were missed, the newest `max` of them, flagged `truncated`.
   */
  async missed(
    rooms: string[],
    afterId: string,
    max: number,
  ): Promise<{ batches: AsyncGenerator<EventEnvelope[]>; truncated: boolean }> {
    // The id just before the newest `max`: only there when more than `max` were missed.
    const before: { id: string }[] = await this.dataSource.query(
      `SELECT id::text AS id FROM events WHERE rooms && $1::text[] AND id > $2 ORDER BY id DESC OFFSET $3 LIMIT 1`,
      [rooms, afterId, max],
    );
    const from = before[0]?.id ?? afterId;
    return {
      batches: this.batches('rooms && $1::text[]', [rooms], from, max),
      truncated: before.length > 0,
    };
  }

  /** The newest id removed by retention: a client that saw less may have missed events for good. */
  async purgedThrough(): Promise<string> {
    const rows: { value: string }[] = await this.dataSource.query(
      `SELECT value FROM settings WHERE name = 'events_purged_through'`,
    );
    return rows[0]?.value ?? '0';
  }

  /** Deletes at most `limit` of the oldest events older than `days`; returns how many. */
  async deleteOlderThan(days: number, limit = 10_000, within?: EntityManager): Promise<number> {
    const manager = within ?? this.dataSource.manager;
    const rows: { deleted: number; max_id: string | null }[] = await manager.query(
      `WITH gone AS (
         DELETE FROM events WHERE id IN (
           SELECT id FROM events WHERE created_at < now() - make_interval(days => $1) ORDER BY id LIMIT $2)
         RETURNING id)
       SELECT count(*)::int AS deleted, max(id)::text AS max_id FROM gone`,
      [days, limit],
    );
    const { deleted, max_id } = rows[0];
    if (max_id) {
      await manager.query(
        `INSERT INTO settings (name, value) VALUES ('events_purged_through', $1)
         ON CONFLICT (name) DO UPDATE SET value = GREATEST(settings.value::bigint, EXCLUDED.value::bigint)::text`,
        [max_id],
      );
    }
    return deleted;
  }
}
