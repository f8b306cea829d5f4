import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { InjectRuntime, type Runtime } from '../config/config.module.js';
import { poolOptions } from '../database/data-source.js';
import { EventEnvelope, toEnvelope } from './event.entity.js';
import type { RoutedEvent } from './event-routing.js';

/** Serialises event writers across every process, so ids commit in increasing order. */
const EVENT_APPEND_LOCK = 72_061_003;
/** One connection appends while the other reads for delivery. */
const LIVE_POOL_SIZE = 2;
export const EVENTS_CHANNEL = 'subforge_events';

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

  async append(events: RoutedEvent[]): Promise<EventEnvelope[]> {
    if (!events.length) return [];
    // One statement (migration EventAppend): lock, insert, notify, commit.
    const { rows } = await this.live.query<EventRow>(
      'SELECT id, type, rooms, data, created_at FROM append_events($1, $2, $3::text[], $4::jsonb[], $5::jsonb[])',
      [
        EVENT_APPEND_LOCK,
        EVENTS_CHANNEL,
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.rooms)),
        events.map((e) => JSON.stringify(e.data)),
      ],
    );
    return rows.map(toEnvelope);
  }

  /** Events after `afterId` up to `upToId`, in id order (for live delivery). */
  async range(afterId: string, upToId: string, limit = 5_000): Promise<EventEnvelope[]> {
    const { rows } = await this.live.query<EventRow>(
      `SELECT id, type, rooms, data, created_at FROM events WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3`,
      [afterId, upToId, limit],
    );
    return rows.map(toEnvelope);
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
    const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const newest = filter.newestWhenUnbounded && !filter.afterId && !filter.since;
    const [rows, count] = await Promise.all([
      this.dataSource.query<EventRow[]>(
        newest
          ? `SELECT * FROM (SELECT id, type, rooms, data, created_at FROM events ${condition}
               ORDER BY id DESC LIMIT $${params.length + 1}) newest ORDER BY id`
          : `SELECT id, type, rooms, data, created_at FROM events ${condition} ORDER BY id LIMIT $${params.length + 1}`,
        [...params, filter.limit],
      ),
      this.dataSource.query<{ total: number }[]>(
        `SELECT count(*)::int AS total FROM events ${condition}`,
        params,
      ),
    ]);
    return { events: rows.map(toEnvelope), total: count[0].total };
  }

  async count(): Promise<number> {
    const rows: { total: number }[] = await this.dataSource.query(
      'SELECT count(*)::int AS total FROM events',
    );
    return rows[0].total;
  }

  /**
   * Events of `rooms` after `afterId`, oldest first, at most `max`. When more were
   * missed, the newest `max` of them, flagged `truncated`.
   */
  async missed(
    rooms: string[],
    afterId: string,
    max: number,
  ): Promise<{ events: EventEnvelope[]; truncated: boolean }> {
    const select = `SELECT id, type, rooms, data, created_at FROM events WHERE rooms && $1::text[] AND id > $2`;
    const rows: EventRow[] = await this.dataSource.query(`${select} ORDER BY id LIMIT $3`, [
      rooms,
      afterId,
      max + 1,
    ]);
    if (rows.length <= max) return { events: rows.map(toEnvelope), truncated: false };
    const latest: EventRow[] = await this.dataSource.query(`${select} ORDER BY id DESC LIMIT $3`, [
      rooms,
      afterId,
      max,
    ]);
    return { events: latest.reverse().map(toEnvelope), truncated: true };
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
