import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { FailurePolicy } from '../workflow-definition.js';
import type { RunSource, RunStatus } from '../run-state.js';
import { WorkflowEntity } from './workflow.entity.js';

export const RUN_TRIGGERS = ['api', 'job', 'import'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/**
 * One execution of a workflow. Its progress and counters are not stored: they are
 * read from the steps' tasks whenever the run is shown.
 */
@Entity('workflow_runs')
@Index('workflow_runs_workflow_id_run_number_key', ['workflowId', 'runNumber'], { unique: true })
@Index('workflow_runs_external_id_key', ['workflowId', 'externalId'], {
  unique: true,
  where: 'external_id IS NOT NULL',
})
export class WorkflowRunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'workflow_runs_pkey' })
  id: string;

  @Column({ type: 'uuid' })
  workflowId: string;

  /** A workflow with runs cannot be deleted while one is unfinished; finished ones go with it. */
  @ManyToOne(() => WorkflowEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workflow_id', foreignKeyConstraintName: 'workflow_runs_workflow_id_fkey' })
  workflow?: WorkflowEntity;

  /** 1, 2, ... per workflow (the v1 history's execution_number). */
  @Column({ type: 'integer' })
  runNumber: number;

  @Index('workflow_runs_status_idx')
  @Column({ type: 'varchar', length: 16 })
  status: RunStatus;

  @Column({ type: 'varchar', length: 16, default: 'api' })
  source: RunSource;

  /** The SubForge run this one mirrors (imported runs only). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  externalId: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  parameters: Record<string, unknown>;

  /** The definition's policy when the run was made: later edits do not change a run. */
  @Column({ type: 'varchar', length: 16 })
  failurePolicy: FailurePolicy;

  @Column({ type: 'varchar', length: 16, default: 'api' })
  trigger: RunTrigger;

  /** The principal that executed it (user or API key id), if any. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  triggeredBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  scheduledAt: Date | null;

  @Index('workflow_runs_started_at_idx')
  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Index('workflow_runs_completed_at_idx')
  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Index('workflow_runs_created_at_idx')
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
