import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BadRequestError, NotFoundError } from '../common/errors/app-errors.js';
import { type Page, toPage } from '../common/pagination/page.js';
import { violatesForeignKey } from '../database/sql.js';
import { toAgentLogResponse } from './agent.mapper.js';
import { AgentLogsRepository } from './agent-logs.repository.js';
import { AgentsService } from './agents.service.js';
import type {
  AgentLogDto,
  IngestLogsDto,
  IngestLogsResultDto,
  ListLogsQuery,
} from './dto/agent-operations.dto.js';

/** Agent logs: batch ingestion, filtered paged reads, retention. Log reads are never cached. */
@Injectable()
export class AgentLogsService {
  constructor(
    private readonly agents: AgentsService,
    private readonly repository: AgentLogsRepository,
  ) {}

  /**
   * The INSERT's foreign key finds an unknown agent: one statement a batch. (Such a batch is
   * written and rolled back, using up ids; only admin and operator keys can name another agent.)
   */
  async ingest(agentId: string, dto: IngestLogsDto): Promise<IngestLogsResultDto> {
    const accepted = await this.repository
      .insertBatch(
        agentId,
        new Date(),
        dto.logs.map((entry) => ({
          timestamp: entry.timestamp ? new Date(entry.timestamp) : undefined,
          level: entry.level,
          message: entry.message,
          details: entry.details ?? null,
          taskId: entry.task_id ?? null,
        })),
      )
      .catch((error: unknown) => {
        if (violatesForeignKey(error, 'agent_logs_agent_id_fkey'))
          throw new NotFoundError('Agent', agentId);
        throw error;
      });
    return { agent_id: agentId, accepted };
  }

  async list(agentId: string, query: ListLogsQuery): Promise<Page<AgentLogDto>> {
    await this.agents.find(agentId);
    const since = query.since ? new Date(query.since) : undefined;
    const until = query.until ? new Date(query.until) : undefined;
    if (since && until && since >= until)
      throw new BadRequestError('since must be before until', [
        { field: 'since', message: 'must be before until' },
      ]);
    const [logs, total] = await this.repository.page(
      agentId,
      { minLevel: query.level, since, until, search: query.search, taskId: query.task_id },
      { skip: query.skip, limit: query.limit, sortOrder: query.sort_order },
    );
    return toPage(logs.map(toAgentLogResponse), total, query);
  }

  /**
   * Retention, for `system.cleanup`: removes lines older than `days` days (at most
   * `limit` of them, in `within` when given: the cleanup job's batches); returns how many.
   */
  async deleteLogsOlderThan(days: number, limit?: number, within?: EntityManager): Promise<number> {
    if (!Number.isFinite(days) || days < 0) throw new BadRequestError('days must be >= 0');
    return this.repository.deleteOlderThan(new Date(Date.now() - days * 86_400_000), limit, within);
  }
}
