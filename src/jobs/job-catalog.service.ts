import { Injectable } from '@nestjs/common';
import { canonicalJobName } from './job-aliases.js';
import type { JobTypeDefinition, ScheduleDefinition } from './job-types.js';

/**
 * The catalogue of job types and of the repeatable jobs the service runs for
 * itself. Feature modules register theirs in `onModuleInit`.
 */
@Injectable()
export class JobCatalog {
  private readonly types = new Map<string, JobTypeDefinition>();
  private readonly schedules = new Map<string, ScheduleDefinition>();

  register<P extends object, R>(definition: JobTypeDefinition<P, R>): void {
    if (this.types.has(definition.name))
      throw new Error(`Job type ${definition.name} is registered twice`);
    this.types.set(definition.name, definition);
  }

  /** Runs job type `name` every `everyMs` on some worker (one run per interval cluster-wide). */
  schedule(schedule: ScheduleDefinition): void {
    this.schedules.set(schedule.name, schedule);
  }

  /** A job type by our name or by the original backend's (an alias). */
  get(name: string): JobTypeDefinition | undefined {
    return this.types.get(canonicalJobName(name));
  }

  list(): JobTypeDefinition[] {
    return [...this.types.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  scheduled(): ScheduleDefinition[] {
    return [...this.schedules.values()];
  }
}
