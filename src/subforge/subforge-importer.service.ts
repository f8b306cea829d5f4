import { basename } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { sha256Hex } from '../auth/secrets.js';
import { AgentImportService } from '../agents/agent-import.service.js';
import { AppError, NotFoundError } from '../common/errors/app-errors.js';
import type { AppConfig } from '../config/config.js';
import { InjectConfig } from '../config/config.module.js';
import { EventBus } from '../realtime/event-bus.service.js';
import { TERMINAL_STATUSES } from '../tasks/task-state.js';
import { FINISHED_RUN_STATUSES } from '../workflows/run-state.js';
import {
  type ImportedRun,
  type ImportedRunWrite,
  RunImportService,
} from '../workflows/run-import.service.js';
import { RunStore } from '../workflows/run-store.js';
import { readAgentFile } from './agent-file.js';
import { readContext, type WorkflowContext } from './context.js';
import { SubforgeAgentFileEntity } from './entities/subforge-agent-file.entity.js';
import { SubforgeRunEntity } from './entities/subforge-run.entity.js';
import { mapRun, type MappedStep } from './run-mapping.js';
import { toSummary } from './subforge.mapper.js';

export type ImportChange = 'created' | 'updated' | 'deleted';

/** A context file as read: parsed JSON, or the reason it does not parse. */
export type ContextFile = { bytes: Buffer; json: unknown } | { bytes: Buffer; error: string };

interface Committed {
  change: ImportChange;
  row: SubforgeRunEntity;
  write: ImportedRunWrite | null;
}

/**
 * Writes what SubForge's files say into the store: a context becomes a SubForge run
 * row (served by /api/subforge) and the workflow run mirroring it; an agent file an
 * agent. Each import runs in one transaction under a per-run advisory lock and
 * compares checksums, so the same file twice, or two importers at once, change
 * nothing the second time. Announcements follow the commit.
 */
@Injectable()
export class SubforgeImporter {
  private readonly logger = new Logger('SubforgeImporter');
  private workflowId?: Promise<string>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly runImport: RunImportService,
    private readonly runs: RunStore,
    private readonly agentImport: AgentImportService,
    private readonly events: EventBus,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Checksums of the imported contexts, by run id: what a scan can skip. */
  async contextChecksums(): Promise<Map<string, string>> {
    const rows = await this.dataSource
      .getRepository(SubforgeRunEntity)
      .find({ select: { id: true, checksum: true } });
    return new Map(rows.map((row) => [row.id, row.checksum]));
  }

  async agentFileChecksums(): Promise<Map<string, string>> {
    const rows = await this.dataSource
      .getRepository(SubforgeAgentFileEntity)
      .find({ select: { fileName: true, checksum: true } });
    return new Map(rows.map((row) => [row.fileName, row.checksum]));
  }

  /**
   * Imports run `id` from its context file. Returns what changed, or null when the
   * file is the one already imported (unless `force`).
   */
  async importContext(id: string, file: ContextFile, force = false): Promise<ImportChange | null> {
    return this.inProjectWorkflow((workflowId) => this.writeContext(workflowId, id, file, force));
  }

  private async writeContext(
    workflowId: string,
    id: string,
    file: ContextFile,
    force: boolean,
  ): Promise<ImportChange | null> {
    const checksum = sha256Hex(file.bytes);
    const committed = await this.dataSource.transaction(
      async (manager): Promise<Committed | null> => {
        const previous = await this.lockRow(manager, id);
        if (previous && previous.checksum === checksum && !force) return null;
        const row = manager.create(SubforgeRunEntity, {
          ...previous,
          id,
          checksum,
          workflowRunId: previous?.workflowRunId ?? null,
        });
        let input: ImportedRun;
        if ('json' in file) {
          const context = readContext(file.json, id);
          Object.assign(row, { status: context.status, context, parseError: null });
          input = await this.runInput(manager, workflowId, id, context);
        } else {
          // The file stays unreadable: the run fails with the reason; what was known stays.
          const context: WorkflowContext = {
            ...(previous?.context ?? readContext({}, id)),
            status: 'failed',
          };
          Object.assign(row, { status: 'failed', context, parseError: file.error });
          const run = previous?.workflowRunId
            ? await this.runs.findById(previous.workflowRunId, manager)
            : null;
          input = {
            workflow_id: workflowId,
            external_id: id,
            status: 'failed',
            parameters: run?.parameters ?? { subforge_id: id },
            started_at: run?.startedAt ?? new Date(),
            completed_at: new Date(),
            error: `workflow_context.json: ${file.error}`.slice(0, 10_000),
            steps: [],
          };
        }
        row.startedAt = row.context.created_at
          ? new Date(row.context.created_at)
          : (previous?.startedAt ?? new Date());
        const write = await this.runImport.write(manager, input);
        row.workflowRunId = write.run.id;
        row.createdAt ??= new Date();
        row.updatedAt = new Date();
        // upsert rather than save: save reads the row back first.
        await manager.upsert(SubforgeRunEntity, row as QueryDeepPartialEntity<SubforgeRunEntity>, [
          'id',
        ]);
        return { change: previous ? 'updated' : 'created', row, write };
      },
    );
    if (!committed) return null;
    await this.announce(committed);
    return committed.change;
  }

  /**
   * The context file of run `id` is gone: the run leaves /api/subforge; the workflow
   * run stays in history (cancelled, with its unfinished steps, if it had not finished).
   */
  async removeContext(id: string): Promise<boolean> {
    return this.inProjectWorkflow((workflowId) => this.deleteContext(workflowId, id));
  }

  private async deleteContext(workflowId: string, id: string): Promise<boolean> {
    const committed = await this.dataSource.transaction(
      async (manager): Promise<Committed | null> => {
        const row = await this.lockRow(manager, id);
        if (!row) return null;
        let write: ImportedRunWrite | null = null;
        const run = row.workflowRunId ? await this.runs.findById(row.workflowRunId, manager) : null;
        if (run && !FINISHED_RUN_STATUSES.includes(run.status)) {
          const input = await this.runInput(manager, workflowId, id, row.context);
          write = await this.runImport.write(manager, {
            ...input,
            status: 'cancelled',
            completed_at: new Date(),
            error: 'workflow_context.json was removed',
            steps: input.steps.map((step) =>
              TERMINAL_STATUSES.includes(step.status) ? step : { ...step, status: 'cancelled' },
            ),
          });
        }
        await manager.delete(SubforgeRunEntity, { id });
        return { change: 'deleted', row, write };
      },
    );
    if (!committed) return false;
    await this.announce(committed);
    return true;
  }

  /** Creates or updates the agent described by `.claude/agents/<fileName>`. */
  async importAgentFile(
    fileName: string,
    bytes: Buffer,
    force = false,
  ): Promise<ImportChange | null> {
    const repository = this.dataSource.getRepository(SubforgeAgentFileEntity);
    const checksum = sha256Hex(bytes);
    const previous = await repository.findOneBy({ fileName });
    if (previous && previous.checksum === checksum && !force) return null;
    const read = readAgentFile(bytes.toString('utf8'), basename(fileName, '.md'));
    if (!read.ok) {
      this.logger.warn(`.claude/agents/${fileName} not imported: ${read.error}`);
      await repository.save({
        fileName,
        checksum,
        agentId: previous?.agentId ?? null,
        error: read.error,
      });
      return null;
    }
    let imported;
    try {
      imported = await this.agentImport.upsert(read.definition);
    } catch (error) {
      // Refused as data (a clash, a field out of range): kept with its reason, not retried until it changes.
      if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
      this.logger.warn(`.claude/agents/${fileName} not imported: ${error.message}`);
      await repository.save({
        fileName,
        checksum,
        agentId: previous?.agentId ?? null,
        error: error.message,
      });
      return null;
    }
    await repository.save({ fileName, checksum, agentId: imported.agent_id, error: null });
    return imported.action;
  }

  /** The agent file is gone: forget it. The agent stays, with its history. */
  async removeAgentFile(fileName: string): Promise<boolean> {
    const { affected } = await this.dataSource
      .getRepository(SubforgeAgentFileEntity)
      .delete({ fileName });
    return !!affected;
  }

  private lockRow(manager: EntityManager, id: string): Promise<SubforgeRunEntity | null> {
    return manager
      .query('SELECT pg_advisory_xact_lock(hashtext($1))', [`subforge-run:${id}`])
      .then(() => manager.findOneBy(SubforgeRunEntity, { id }));
  }

  private async runInput(
    manager: EntityManager,
    workflowId: string,
    id: string,
    context: WorkflowContext,
  ): Promise<ImportedRun> {
    const mapped = mapRun(context);
    const agents = await this.agentIds(manager, mapped.steps);
    return {
      workflow_id: workflowId,
      external_id: id,
      status: mapped.status,
      parameters: {
        subforge_id: id,
        project_id: context.project_id,
        user_request: context.user_request,
      },
      started_at: mapped.started_at,
      completed_at: mapped.completed_at,
      error: mapped.error,
      steps: mapped.steps.map(({ agent_name, ...step }) => ({
        ...step,
        agent_id: agent_name ? (agents.get(agent_name) ?? null) : null,
      })),
    };
  }

  /** Our agents named as SubForge names them (its own agents first). */
  private async agentIds(
    manager: EntityManager,
    steps: MappedStep[],
  ): Promise<Map<string, string>> {
    const names = [
      ...new Set(steps.map((step) => step.agent_name).filter((n): n is string => !!n)),
    ];
    if (!names.length) return new Map();
    const rows: { id: string; name: string }[] = await manager.query(
      `SELECT DISTINCT ON (name) id, name FROM agents WHERE name = ANY($1::text[])
        ORDER BY name, (agent_type = 'claude-subagent') DESC, created_at`,
      [names],
    );
    return new Map(rows.map((row) => [row.name, row.id]));
  }

  private async announce({ change, row, write }: Committed): Promise<void> {
    if (write) await this.runImport.announce(write);
    await this.events.publish(`subforge.${change}`, { workflow: toSummary(row) });
  }

  /** Runs `work` with the project's workflow, made again if someone deleted it meanwhile. */
  private async inProjectWorkflow<T>(work: (workflowId: string) => Promise<T>): Promise<T> {
    const workflowId = await this.projectWorkflow();
    try {
      return await work(workflowId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      this.workflowId = undefined;
      return work(await this.projectWorkflow());
    }
  }

  /** The workflow of this SUBFORGE_ROOT's runs (one per project directory). */
  private projectWorkflow(): Promise<string> {
    const root = this.config.subforgeRoot;
    this.workflowId ??= this.runImport
      .projectWorkflow(
        `subforge-${sha256Hex(root).slice(0, 16)}`,
        `SubForge: ${basename(root) || root}`,
        root,
      )
      .catch((error: unknown) => {
        this.workflowId = undefined;
        throw error;
      });
    return this.workflowId;
  }
}
