import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { SortOrder } from '../common/pagination/page.js';
import { likePattern } from '../database/sql.js';
import { AgentLogEntity, LOG_SEVERITY, type LogLevel } from './entities/agent-log.entity.js';

export interface NewLogLine {
  /** The line's own time; without one it takes the batch's `receivedAt`. */
  timestamp?: Date;
  level: LogLevel;
  message: string;
  details: Record<string, unknown> | null;
  taskId: string | null;
}

export interface LogFilters {
  minLevel?: LogLevel;
  since?: Date;
  until?: Date;
  search?: string;
  taskId?: string;
}

/** Every query on agent logs. */
@Injectable()
export class AgentLogsRepository {
  constructor(
    @InjectRepository(AgentLogEntity) private readonly logs: Repository<AgentLogEntity>,
  ) {}

  /**
   * One INSERT for the whole batch: the columns travel as arrays and are unnested. A column
   * no line fills travels as NULL, not as 1,000 NULLs (`unnest` pads it): most batches carry
   * no times, details or tasks, and a line without a time takes `receivedAt`.
   */
  async insertBatch(agentId: string, receivedAt: Date, lines: NewLogLine[]): Promise<number> {
    if (!lines.length) return 0;
    const column = <T>(value: (line: NewLogLine) => T | null | undefined): (T | null)[] | null =>
      lines.some((line) => value(line) != null) ? lines.map((line) => value(line) ?? null) : null;
    await this.logs.query(
      `INSERT INTO agent_logs (agent_id, timestamp, level, severity, message, details, task_id)
       SELECT $1::uuid, COALESCE(t.timestamp, $8::timestamptz), t.level, t.severity, t.message,
              t.details::jsonb, t.task_id
         FROM unnest($2::timestamptz[], $3::text[], $4::smallint[], $5::text[], $6::text[], $7::uuid[])
           AS t(timestamp, level, severity, message, details, task_id)`,
      [
        agentId,
        column((line) => line.timestamp?.toISOString()),
        lines.map((line) => line.level),
        lines.map((line) => LOG_SEVERITY[line.level]),
        lines.map((line) => line.message),
        column((line) => (line.details ? JSON.stringify(line.details) : null)),
        column((line) => line.taskId),
        receivedAt,
      ],
    );
    return lines.length;
  }

  async page(
    agentId: string,
    filters: LogFilters,
    page: { skip: number; limit: number; sortOrder: SortOrder },
  ): Promise<[AgentLogEntity[], number]> {
    const query = this.logs.createQueryBuilder('log').where('log.agentId = :agentId', { agentId });
    if (filters.minLevel)
      query.andWhere('log.severity >= :severity', { severity: LOG_SEVERITY[filters.minLevel] });
    if (filters.since) query.andWhere('log.timestamp >= :since', { since: filters.since });
    if (filters.until) query.andWhere('log.timestamp < :until', { until: filters.until });
    if (filters.taskId) query.andWhere('log.taskId = :taskId', { taskId: filters.taskId });
    if (filters.search)
      query.andWhere("log.message ILIKE :search ESCAPE '\\'", {
        search: likePattern(filters.search),
      });
    const direction = page.sortOrder === 'asc' ? 'ASC' : 'DESC';
    return query
      .orderBy('log.timestamp', direction)
      .addOrderBy('log.id', direction)
      .skip(page.skip)
      .take(page.limit)
      .getManyAndCount();
  }

  async countAtLeast(agentId: string, level: LogLevel, since: Date): Promise<number> {
    return this.logs
      .createQueryBuilder('log')
      .where('log.agentId = :agentId', { agentId })
      .andWhere('log.severity >= :severity', { severity: LOG_SEVERITY[level] })
      .andWhere('log.timestamp >= :since', { since })
      .getCount();
  }

  /** Oldest first, at most `limit` lines (all when omitted), through `within` when given. */
  async deleteOlderThan(cutoff: Date, limit?: number, within?: EntityManager): Promise<number> {
    const rows: { deleted: number }[] = await (within ?? this.logs.manager).query(
      `WITH gone AS (
         DELETE FROM agent_logs WHERE id IN (
           SELECT id FROM agent_logs WHERE timestamp < $1 ORDER BY timestamp LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS deleted FROM gone`,
      [cutoff, limit ?? null],
    );
    return rows[0].deleted;
  }
}
