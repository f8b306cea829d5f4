import type { WaitingReason } from '../waiting-reason.js';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WorkflowRunEntity } from './workflow-run.entity.js';

/**
 * A step of a run: its routing and limits as defined when the run was made, and
 * the task that carries it (the task holds the state: status, attempt, agent).
 */
@Entity('workflow_run_steps')
export class WorkflowRunStepEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'workflow_run_steps_pkey' })
  runId: string;

  @PrimaryColumn({
    type: 'varchar',
    length: 100,
    primaryKeyConstraintName: 'workflow_run_steps_pkey',
  })
  stepKey: string;

  @ManyToOne(() => WorkflowRunEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'run_id', foreignKeyConstraintName: 'workflow_run_steps_run_id_fkey' })
  run?: WorkflowRunEntity;

  @Index('workflow_run_steps_task_id_key', { unique: true })
  @Column({ type: 'uuid' })
  taskId: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Place in a topological order of the definition (dependencies first). */
  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  dependsOn: string[];

  @Column({ type: 'uuid', nullable: true })
  agentId: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  agentType: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  requiredCapabilities: string[];

  @Column({ type: 'integer' })
  timeoutSeconds: number;

  @Column({ type: 'integer' })
  maxRetries: number;

  /** The highest attempt allowed: 1 + max_retries, raised again when the run is retried. */
  @Column({ type: 'integer' })
  maxAttempts: number;

  /** Why the ready step waits for an agent (null when it does not wait). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  waitingReason: WaitingReason | null;

  @Column({ type: 'text', nullable: true })
  waitingDetail: string | null;
}
