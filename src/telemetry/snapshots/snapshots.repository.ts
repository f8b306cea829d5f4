import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  Between,
  EntityManager,
  FindOptionsWhere,
  LessThanOrEqual,
  MoreThanOrEqual,
  Repository,
} from 'typeorm';
import { SystemMetricsEntity } from '../entities/system-metrics.entity.js';

export interface HistoryFilter {
  since?: Date;
  until?: Date;
  limit: number;
}

/** Every query of the system_metrics table. */
@Injectable()
export class SnapshotsRepository {
  constructor(
    @InjectRepository(SystemMetricsEntity)
    private readonly snapshots: Repository<SystemMetricsEntity>,
  ) {}

  insert(values: Omit<SystemMetricsEntity, 'id'>): Promise<SystemMetricsEntity> {
    return this.snapshots.save(this.snapshots.create(values));
  }

  latest(): Promise<SystemMetricsEntity | null> {
    return this.snapshots.findOne({ where: {}, order: { recordedAt: 'DESC' } });
  }

  /** Newest first. */
  history(filter: HistoryFilter): Promise<SystemMetricsEntity[]> {
    const where: FindOptionsWhere<SystemMetricsEntity> = {};
    if (filter.since && filter.until) where.recordedAt = Between(filter.since, filter.until);
    else if (filter.since) where.recordedAt = MoreThanOrEqual(filter.since);
    else if (filter.until) where.recordedAt = LessThanOrEqual(filter.until);
    return this.snapshots.find({ where, order: { recordedAt: 'DESC' }, take: filter.limit });
  }

  /** Oldest first, at most `limit` rows, through `within` (a retention batch). */
  async deleteOlderThan(days: number, limit: number, within: EntityManager): Promise<number> {
    const rows: { deleted: number }[] = await within.query(
      `WITH gone AS (
         DELETE FROM system_metrics WHERE id IN (
           SELECT id FROM system_metrics WHERE recorded_at < now() - make_interval(days => $1)
            ORDER BY recorded_at LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      [days, limit],
    );
    return rows[0].deleted;
  }

  count(): Promise<number> {
    return this.snapshots.count();
  }
}
