import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { EventEnvelope, toEnvelope } from './event.entity.js';
import type { RoutedEvent } from './event-routing.js';

/** Serialises event writers across every process, so ids commit in increasing order. */
const EVENT_APPEND_LOCK = 72_061_003;
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
}

/**
 * The durable event history in PostgreSQL. Appends take an advisory lock for the
 * length of their (short) transaction: ids are drawn and committed in order, and
 * the NOTIFY in the same transaction reaches listeners in commit order. A reader
 * that has seen id N has therefore seen every id below N: replay never skips an
 * event that a slower writer committed late.
 */
@Injectable()
export class EventStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async append(events: RoutedEvent[]): Promise<EventEnvelope[]> {
    if (!events.length) return [];
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [EVENT_APPEND_LOCK]);
      const rows: EventRow[] = await manager.query(
        `INSERT INTO events (id, type, rooms, data, created_at)
         SELECT nextval('events_id_seq'), e.type, ARRAY(SELECT jsonb_array_elements_text(e.rooms)), e.data, clock_timestamp()
         FROM unnest($1::text[], $2::jsonb[], $3::jsonb[]) WITH ORDINALITY AS e(type, rooms, data, ord)
         ORDER BY e.ord
         RETURNING id, type, rooms, data, created_at`,
        [
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.rooms)),
          events.map((e) => JSON.stringify(e.data)),
        ],
      );
      rows.sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
      await manager.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, rows[rows.length - 1].id]);
      return rows.map(toEnvelope);
    });
  }

  /** Events after `afterId` up to `upToId`, in id order (for live delivery). */
  async range(afterId: string, upToId: string, limit = 5_000): Promise<EventEnvelope[]> {
    const rows: EventRow[] = await this.dataSource.query(
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
    const [rows, count] = await Promise.all([
      this.dataSource.query<EventRow[]>(
        `SELECT id, type, rooms, data, created_at FROM events ${condition} ORDER BY id LIMIT $${params.length + 1}`,
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
