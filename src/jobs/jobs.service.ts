import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { eachOnce } from '../common/bulk.js';
import type { Principal } from '../auth/principal.js';
import { roleSatisfies } from '../auth/roles.js';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
} from '../common/errors/app-errors.js';
import { toPage, type Page } from '../common/pagination/page.js';
import { validateNested } from '../common/validation/validation-pipe.js';
import { withTimeout } from '../common/async.js';
import { EventBus } from '../realtime/event-bus.service.js';
import { aliasesOf } from './job-aliases.js';
import type { BulkJobsDto, JobResponseDto, ListJobsQuery, SubmitJobDto } from './dto/jobs.dto.js';
import type { BackgroundTaskEntity } from './entities/background-task.entity.js';
import { JobCatalog } from './job-catalog.service.js';
import { JobCancellation } from './job-cancellation.service.js';
import { BULL_PRIORITY, JobQueues } from './job-queues.service.js';
import { JobRecordsRepository } from './job-records.repository.js';
import type { JobTypeDefinition } from './job-types.js';
import { toJobResponse } from './job.mapper.js';
import { DEFAULT_JOB_TIMEOUT_MS } from './queues.js';

/** How long a request waits for Redis to take a job before leaving it to the reconciler. */
const ENQUEUE_TIMEOUT_MS = 2_000;
/** How long a cancel of a running job waits for its worker to stop it. */
const CANCEL_WAIT_MS = 3_000;

export interface SubmitOptions {
  internal?: boolean;
}

export function bullJobIdOf(record: Pick<BackgroundTaskEntity, 'id' | 'generation'>): string {
  return `${record.id}:${record.generation}`;
}

/**
 * The Bull job a record belongs to: the job that made it when it ran (a repeatable run, a
 * dispatch: `metadata.bull_job_id`), or `<id>:<generation>` (submitted, or retried since).
 */
export function queueEntryIdOf(
  record: Pick<BackgroundTaskEntity, 'id' | 'generation' | 'internal' | 'metadata'>,
): string {
  const own = record.internal && record.generation === 0 ? record.metadata.bull_job_id : undefined;
  return typeof own === 'string' ? own : bullJobIdOf(record);
}

/** Submits, reads and steers background tasks (the API side of the job system). */
@Injectable()
export class JobsService {
  private readonly logger = new Logger('Jobs');

  constructor(
    private readonly catalog: JobCatalog,
    private readonly queues: JobQueues,
    private readonly records: JobRecordsRepository,
    private readonly cancellation: JobCancellation,
    private readonly events: EventBus,
  ) {}

  types() {
    return this.catalog.list().map((type) => ({
      name: type.name,
      description: type.description,
      queue: type.queue,
      parameters_schema: type.schema,
      default_priority: type.priority ?? 'normal',
      max_retries: (type.attempts ?? 1) - 1,
      timeout_seconds: (type.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS) / 1000,
      required_role: type.role ?? 'operator',
      aliases: aliasesOf(type.name),
    }));
  }

  /** Validates and records a job, then hands it to Bull. */
  async submit(
    dto: SubmitJobDto,
    submitter: Principal | null,
    options: SubmitOptions = {},
  ): Promise<JobResponseDto> {
    const type = this.catalog.get(dto.task_name);
    if (!type) {
      throw new BadRequestError(
        `Unknown task_name "${dto.task_name}"; see GET /api/v2/background-tasks/types`,
        [{ field: 'task_name', message: 'is not a known job type' }],
      );
    }
    if (submitter && !roleSatisfies(submitter.role, type.role ?? 'operator')) {
      throw new ForbiddenError(
        `Submitting ${type.name} requires the ${type.role ?? 'operator'} role`,
      );
    }
    const parameters = await this.validateParameters(type, dto.parameters ?? {});
    const delay = dto.delay_ms ?? 0;
    const record = await this.records.create({
      id: randomUUID(),
      taskName: type.name,
      queue: type.queue,
      status: delay > 0 ? 'delayed' : 'pending',
      priority: dto.priority ?? type.priority ?? 'normal',
      parameters,
      maxRetries: dto.max_retries ?? (type.attempts ?? 1) - 1,
      generation: 0,
      createdBy: submitter?.id ?? null,
      internal: options.internal ?? false,
      metadata: dto.metadata ?? {},
      runAfter: delay > 0 ? new Date(Date.now() + delay) : null,
    });
    const response = toJobResponse(record);
    if (!record.internal) await this.events.publish('job.created', { job: response });
    await this.enqueue(record);
    return response;
  }

  /** Puts a record's current generation on its queue (idempotent: the Bull job id is fixed). */
  async enqueue(record: BackgroundTaskEntity): Promise<boolean> {
    const type = this.catalog.get(record.taskName);
    if (!type) {
      this.logger.error(`record ${record.id} names an unknown job type ${record.taskName}`);
      return false;
    }
    const bullJobId = bullJobIdOf(record);
    const delay = record.runAfter ? Math.max(0, record.runAfter.getTime() - Date.now()) : 0;
    try {
      await withTimeout(
        this.queues.add(
          type.queue,
          type.name,
          {
            recordId: record.id,
            generation: record.generation,
            params: record.parameters,
            internal: record.internal,
          },
          {
            jobId: bullJobId,
            priority: BULL_PRIORITY[record.priority],
            attempts: record.maxRetries + 1,
            backoff: { type: 'exponential', delay: type.backoffMs ?? 1_000 },
            delay,
            removeOnComplete: 1_000,
            removeOnFail: 5_000,
          },
        ),
        ENQUEUE_TIMEOUT_MS,
        'Redis did not take the job in time',
      );
      return true;
    } catch (error) {
      // The record stays pending in PostgreSQL; the reconciler enqueues it when Redis is back.
      this.logger.warn(`job ${record.id} not enqueued yet: ${(error as Error).message}`);
      return false;
    }
  }

  async list(query: ListJobsQuery): Promise<Page<JobResponseDto>> {
    const [records, total] = await this.records.list(query);
    return toPage(records.map(toJobResponse), total, query);
  }

  async get(id: string): Promise<JobResponseDto> {
    return toJobResponse(await this.find(id));
  }

  async logs(id: string, limit = 1_000) {
    await this.find(id);
    const lines = await this.records.logsOf(id, limit);
    return {
      task_id: id,
      logs: lines.map((line) => ({
        timestamp: line.createdAt.toISOString(),
        attempt: line.attempt,
        message: line.message,
      })),
    };
  }

  /**
   * Waiting or delayed: removed from its queue and cancelled. Running: its worker is
   * told to stop (through a signal the handler checks) and we wait for it. Finished: 409.
   */
  async cancel(id: string, caller: Principal): Promise<JobResponseDto> {
    const record = await this.findControllable(id, caller);
    if (['completed', 'failed', 'cancelled'].includes(record.status)) {
      throw new ConflictError(`Job ${id} is already ${record.status}`, {
        current_status: record.status,
      });
    }
    if (record.status !== 'active') {
      const job = await this.queues
        .find(record.queue)
        .getJob(queueEntryIdOf(record))
        .catch(() => null);
      const removed = job
        ? await job.remove().then(
            () => true,
            () => false,
          )
        : true;
      if (removed) {
        const cancelled = await this.records.transition(id, ['pending', 'delayed'], {
          status: 'cancelled',
          completedAt: new Date(),
        });
        if (cancelled) return this.announce(cancelled, 'job.cancelled');
      }
    }
    // Running (or it started meanwhile): ask its worker, wherever it is.
    await this.cancellation.request(id);
    const deadline = Date.now() + CANCEL_WAIT_MS;
    while (Date.now() < deadline) {
      const current = await this.find(id);
      if (
        current.status !== 'active' &&
        current.status !== 'pending' &&
        current.status !== 'delayed'
      )
        return toJobResponse(current);
      await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    }
    // No worker answered (it may be gone): mark its job, so that a worker taking it up
    // later skips it, then cancel the record. Marked first: the job may be handed on (a
    // stalled job, a delay ending) at any moment; a mark on a job that finished meanwhile
    // changes nothing.
    await this.queues
      .markCancelled(record.queue, queueEntryIdOf(record))
      .catch((error: Error) =>
        this.logger.warn(`job ${id}: its queue entry not marked cancelled: ${error.message}`),
      );
    const cancelled = await this.records.transition(id, ['active', 'pending', 'delayed'], {
      status: 'cancelled',
      completedAt: new Date(),
    });
    return cancelled ? this.announce(cancelled, 'job.cancelled') : this.get(id);
  }

  /** A failed or cancelled job runs again, as a new attempt on the same record. */
  async retry(id: string, caller: Principal): Promise<JobResponseDto> {
    const record = await this.findControllable(id, caller);
    if (record.status !== 'failed' && record.status !== 'cancelled') {
      throw new ConflictError(
        `Only failed or cancelled jobs can be retried; job ${id} is ${record.status}`,
        {
          current_status: record.status,
        },
      );
    }
    const retried = await this.records.transition(id, ['failed', 'cancelled'], {
      status: 'pending',
      generation: record.generation + 1,
      error: null,
      progress: 0,
      progressMessage: null,
      completedAt: null,
      runAfter: null,
      checkpoint: null,
    });
    if (!retried) throw new ConflictError(`Job ${id} changed meanwhile; try again`);
    await this.enqueue(retried);
    return this.announce(retried, 'job.retrying');
  }

  async bulk(dto: BulkJobsDto, caller: Principal) {
    type Item =
      | { task_id: string; success: true; action: string; status: string }
      | { task_id: string; success: false; error: string };
    const outcome = await eachOnce<Item>(
      dto.task_ids,
      async (id) => {
        const job =
          dto.operation === 'cancel' ? await this.cancel(id, caller) : await this.retry(id, caller);
        return {
          task_id: id,
          success: true,
          action: dto.operation === 'cancel' ? 'cancelled' : 'retried',
          status: job.status,
        };
      },
      (id, error) => ({ task_id: id, success: false, error }),
      (error) => (error as Error).message,
      'duplicate id in request; applied once',
    );
    return { operation: dto.operation, total_tasks: dto.task_ids.length, ...outcome };
  }

  statistics(includeInternal: boolean) {
    return this.records.statistics(includeInternal);
  }

  private async announce(
    record: BackgroundTaskEntity,
    name: 'job.cancelled' | 'job.retrying',
  ): Promise<JobResponseDto> {
    const response = toJobResponse(record);
    if (!record.internal) await this.events.publish(name, { job: response });
    return response;
  }

  /**
   * A job the caller may cancel or retry: one whose type it may submit; the service's
   * own (internal) jobs are for admins only.
   */
  private async findControllable(id: string, caller: Principal): Promise<BackgroundTaskEntity> {
    const record = await this.find(id);
    const required = record.internal
      ? 'admin'
      : (this.catalog.get(record.taskName)?.role ?? 'operator');
    if (!roleSatisfies(caller.role, required))
      throw new ForbiddenError(`Controlling ${record.taskName} jobs requires the ${required} role`);
    return record;
  }

  private async find(id: string): Promise<BackgroundTaskEntity> {
    const record = await this.records.findById(id);
    if (!record) throw new NotFoundError('Background task', id);
    return record;
  }

  private async validateParameters(
    type: JobTypeDefinition,
    parameters: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    if (!type.params) {
      const unknown = Object.keys(parameters);
      if (unknown.length) {
        throw new BadRequestError(
          `${type.name} takes no parameters`,
          unknown.map((field) => ({
            field: `parameters.${field}`,
            message: 'is not an accepted parameter',
          })),
        );
      }
      return {};
    }
    const instance = await validateNested(
      type.params,
      parameters,
      'parameters',
      (fields) => `Invalid parameters for ${type.name}: ${fields.join(', ')}`,
    );
    return { ...instance };
  }
}
