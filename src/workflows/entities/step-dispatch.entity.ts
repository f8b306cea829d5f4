import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { SupersededOutcome } from '../run-state.js';
import { WorkflowRunEntity } from './workflow-run.entity.js';

/**
 * Every assignment of a step to an agent, one row per attempt (the unique key makes
 * a second dispatch of the same attempt impossible). The deadline of the current
 * attempt lives here; superseded attempts keep how they ended.
 */
@Entity('workflow_step_dispatches')
@Index('workflow_step_dispatches_task_id_attempt_key', ['taskId', 'attempt'], { unique: true })
@Index('workflow_step_dispatches_run_id_idx', ['runId'])
@Index('workflow_step_dispatches_agent_id_dispatched_at_idx', ['agentId', 'dispatchedAt'])
export class StepDispatchEntity {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    primaryKeyConstraintName: 'workflow_step_dispatches_pkey',
  })
  id: string;

  @Column({ type: 'uuid' })
  runId: string;

  @ManyToOne(() => WorkflowRunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'workflow_step_dispatches_run_id_fkey' })
  run?: WorkflowRunEntity;

  @Column({ type: 'uuid' })
  taskId: string;

  @Column({ type: 'varchar', length: 100 })
  stepKey: string;

  @Column({ type: 'integer' })
  attempt: number;

  /** Not a foreign key: the log outlives a deleted agent. */
  @Column({ type: 'uuid' })
  agentId: string;

  /** The process that dispatched it (RunningService instance id). */
  @Column({ type: 'uuid' })
  instanceId: string;

  @Column({ type: 'timestamptz' })
  dispatchedAt: Date;

  @Column({ type: 'timestamptz' })
  deadlineAt: Date;

  @Column({ type: 'varchar', length: 16, nullable: true })
  outcome: SupersededOutcome | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
