import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { JobPriority } from '../job-types.js';

export const JOB_STATUSES = [
  'pending',
  'delayed',
  'active',
  'completed',
  'failed',
  'cancelled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINISHED_STATUSES: JobStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * The durable record of a background task. Bull executes; this row remembers,
 * across restarts and Redis flushes.
 */
@Entity('background_tasks')
@Index('background_tasks_status_created_idx', ['status', 'createdAt'])
@Index('background_tasks_name_created_idx', ['taskName', 'createdAt'])
export class BackgroundTaskEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'background_tasks_pkey' })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  taskName: string;

  @Column({ type: 'varchar', length: 32 })
  queue: string;

  @Column({ type: 'varchar', length: 16 })
  status: JobStatus;

  @Column({ type: 'varchar', length: 16 })
  priority: JobPriority;

  @Column({ type: 'real', default: 0 })
  progress: number;

  @Column({ type: 'text', nullable: true })
  progressMessage: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  parameters: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  result: unknown;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** Runs started so far. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'int', default: 0 })
  maxRetries: number;

  /** Manual retries so far. The Bull job carrying the record is `<id>:<generation>`, so each retry is a fresh Bull job. */
  @Column({ type: 'int', default: 0 })
  generation: number;

  /** What a resumable job saved of its progress, for the run that takes over after a crash. */
  @Column({ type: 'jsonb', nullable: true })
  checkpoint: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  createdBy: string | null;

  @Column({ type: 'boolean', default: false })
  internal: boolean;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column({ type: 'timestamptz', nullable: true })
  runAfter: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
