import { Injectable, OnModuleInit } from '@nestjs/common';
import { RetentionRegistry } from '../jobs/retention.service.js';
import { RunsRepository } from './runs.repository.js';

/** Finished runs (with their steps and dispatch log) are purged with the service's other old data. */
@Injectable()
export class WorkflowRetention implements OnModuleInit {
  constructor(
    private readonly retention: RetentionRegistry,
    private readonly runs: RunsRepository,
  ) {}

  onModuleInit(): void {
    this.retention.register({
      name: 'workflow_runs',
      purgeBatch: (days, limit, within) => this.runs.deleteFinishedOlderThan(days, limit, within),
    });
  }
}
