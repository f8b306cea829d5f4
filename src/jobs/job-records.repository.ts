import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { ListJobsQuery } from './dto/jobs.dto.js';
import { BackgroundTaskLogEntity } from './entities/background-task-log.entity.js';
import {
  BackgroundTaskEntity,
  FINISHED_STATUSES,
  type JobStatus,
} from './entities/background-task.entity.js';

const SORT_COLUMNS: Record<ListJobsQuery['sort_by'], string> = {
  created_at: 'job.createdAt',
  task_name: 'job.taskName',
  status: 'job.status',
  priority: "array_position(ARRAY['low','normal','high','critical']::varchar[], job.priority)",
  progress: 'job.progress',
};

export interface JobStatistics {
  by_status: Record<string, number>;
  by_type: Record<string, number>;
  by_priority: Record<string, number>;
  average_duration_ms: number | null;
  success_rate: number | null;
  throughput_per_minute: number;
  finished_last_hour: number;
  total: number;
}

/** Every query on background task records. */
@Injectable()
export class JobRecordsRepository {
  constructor(
    @InjectRepository(BackgroundTaskEntity)
    private readonly records: Repository<BackgroundTaskEntity>,
    @InjectRepository(BackgroundTaskLogEntity)
    private readonly logs: Repository<BackgroundTaskLogEntity>,
  ) {}

  create(record: Partial<BackgroundTaskEntity>): Promise<BackgroundTaskEntity> {
    return this.records.save(this.records.create(record));
  }

  findById(id: string): Promise<BackgroundTaskEntity | null> {
    return this.records.findOne({ where: { id } });
  }

  findByIds(ids: string[]): Promise<BackgroundTaskEntity[]> {
    return this.records.find({ where: { id: In(ids) } });
  }

  async list(query: ListJobsQuery): Promise<[BackgroundTaskEntity[], number]> {
    const builder = this.records.createQueryBuilder('job');
    if (!query.include_internal) builder.andWhere('job.internal = false');
    if (query.status) builder.andWhere('job.status = :status', { status: query.status });
    if (query.priority) builder.andWhere('job.priority = :priority', { priority: query.priority });
    if (query.task_name)
      builder.andWhere('job.taskName = :taskName', { taskName: query.task_name });
    if (query.created_after)
      builder.andWhere('job.createdAt >= :after', { after: query.created_after });
    if (query.created_before)
      builder.andWhere('job.createdAt < :before', { before: query.created_before });
    builder
      .orderBy(SORT_COLUMNS[query.sort_by], query.sort_order.toUpperCase() as 'ASC' | 'DESC')
      .addOrderBy('job.id', 'ASC')
      .skip(query.skip)
      .take(query.limit);
    return builder.getManyAndCount();
  }

  /**
   * Moves a record from one of `from` to `to` (a compare-and-set), returning the
   * updated record, or null when it was not in one of those states.
   */
  async transition(
    id: string,
    from: JobStatus[],
    changes: Partial<BackgroundTaskEntity>,
  ): Promise<BackgroundTaskEntity | null> {
    const result = await this.records
      .createQueryBuilder()
      .update(BackgroundTaskEntity)
      .set(changes as QueryDeepPartialEntity<BackgroundTaskEntity>)
      .where('id = :id AND status IN (:...from)', { id, from })
      .returning('*')
      .execute();
    const row = (result.raw as Record<string, unknown>[])[0];
    return row ? this.findById(id) : null;
  }

  /** Records pending or delayed for a while: candidates for re-enqueueing. */
  findWaitingOlderThan(seconds: number, limit: number): Promise<BackgroundTaskEntity[]> {
    return this.records
      .createQueryBuilder('job')
      .where("job.status IN ('pending', 'delayed')")
      .andWhere('job.updatedAt < now() - make_interval(secs => :seconds)', { seconds })
      .orderBy('job.createdAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  /** Records marked active without a sign of life for this long (their worker may be gone). */
  findActiveQuietFor(seconds: number, limit: number): Promise<BackgroundTaskEntity[]> {
    return this.records
      .createQueryBuilder('job')
      .where("job.status = 'active'")
      .andWhere('job.updatedAt < now() - make_interval(secs => :seconds)', { seconds })
      .limit(limit)
      .getMany();
  }

  async saveCheckpoint(
    id: string,
    generation: number,
    checkpoint: Record<string, unknown>,
    within?: EntityManager,
  ): Promise<void> {
    await (within ?? this.records.manager).update(BackgroundTaskEntity, { id, generation }, {
      checkpoint,
    } as QueryDeepPartialEntity<BackgroundTaskEntity>);
  }

  async addLog(taskId: string, attempt: number, message: string): Promise<void> {
    await this.logs.insert({ taskId, attempt, message: message.slice(0, 10_000) });
  }

  logsOf(taskId: string, limit: number): Promise<BackgroundTaskLogEntity[]> {
    return this.logs.find({ where: { taskId }, order: { id: 'ASC' }, take: limit });
  }

  async statistics(includeInternal: boolean): Promise<JobStatistics> {
    const scope = (builder: SelectQueryBuilder<BackgroundTaskEntity>) =>
      includeInternal ? builder : builder.where('job.internal = false');
    const group = async (column: string) => {
      const rows: { key: string; count: string }[] = await scope(
        this.records.createQueryBuilder('job'),
      )
        .select(`job.${column}`, 'key')
        .addSelect('count(*)', 'count')
        .groupBy(`job.${column}`)
        .getRawMany();
      return Object.fromEntries(rows.map((row) => [row.key, Number(row.count)]));
    };
    const [byStatus, byType, byPriority, figures] = await Promise.all([
      group('status'),
      group('taskName'),
      group('priority'),
      scope(this.records.createQueryBuilder('job'))
        .select(
          "avg(extract(epoch FROM (job.completed_at - job.started_at)) * 1000) FILTER (WHERE job.status = 'completed' AND job.started_at IS NOT NULL)",
          'avg_ms',
        )
        .addSelect("count(*) FILTER (WHERE job.status = 'completed')", 'completed')
        .addSelect("count(*) FILTER (WHERE job.status = 'failed')", 'failed')
        .addSelect(
          `count(*) FILTER (WHERE job.status IN ('${FINISHED_STATUSES.join("','")}') AND job.completed_at >= now() - interval '1 hour')`,
          'finished_hour',
        )
        .addSelect('count(*)', 'total')
        .getRawOne<{
          avg_ms: string | null;
          completed: string;
          failed: string;
          finished_hour: string;
          total: string;
        }>(),
    ]);
    const completed = Number(figures?.completed ?? 0);
    const failed = Number(figures?.failed ?? 0);
    const finishedHour = Number(figures?.finished_hour ?? 0);
    return {
      by_status: byStatus,
      by_type: byType,
      by_priority: byPriority,
      average_duration_ms: figures?.avg_ms ? Math.round(Number(figures.avg_ms) * 100) / 100 : null,
      success_rate:
        completed + failed ? Math.round((completed / (completed + failed)) * 10_000) / 100 : null,
      throughput_per_minute: Math.round((finishedHour / 60) * 100) / 100,
      finished_last_hour: finishedHour,
      total: Number(figures?.total ?? 0),
    };
  }

  /** Completed in the last minute, per queue (the processing rate). */
  async completedLastMinuteByQueue(): Promise<Record<string, number>> {
    const rows: { queue: string; count: string }[] = await this.records
      .createQueryBuilder('job')
      .select('job.queue', 'queue')
      .addSelect('count(*)', 'count')
      .where("job.status = 'completed' AND job.completedAt >= now() - interval '1 minute'")
      .groupBy('job.queue')
      .getRawMany();
    return Object.fromEntries(rows.map((row) => [row.queue, Number(row.count)]));
  }

  /** Deletes finished records older than `days` (internal ones after a day); returns how many. */
  async deleteFinishedOlderThan(
    days: number,
    limit = 5_000,
    within?: EntityManager,
  ): Promise<number> {
    const result: [unknown, number] = await (within ?? this.records.manager).query(
      `DELETE FROM background_tasks WHERE id IN (
         SELECT id FROM background_tasks
         WHERE status IN ('completed', 'failed', 'cancelled')
           AND (completed_at < now() - make_interval(days => $1)
                OR (internal AND completed_at < now() - make_interval(days => LEAST($1, 1))))
         LIMIT $2)`,
      [days, limit],
    );
    return result[1];
  }
}
