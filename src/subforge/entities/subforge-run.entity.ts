import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { WorkflowRunEntity } from '../../workflows/entities/workflow-run.entity.js';
import type { SubforgeStatus, WorkflowContext } from '../context.js';

/**
 * One SubForge run as last imported from `.subforge/<id>/workflow_context.json`: the
 * context as read (what `/api/subforge/*` serves) and the workflow run mirroring it.
 */
@Entity('subforge_runs')
export class SubforgeRunEntity {
  /** The run's directory name (`subforge_...`). */
  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'subforge_runs_pkey' })
  id: string;

  @Index('subforge_runs_status_idx')
  @Column({ type: 'varchar', length: 16 })
  status: SubforgeStatus;

  @Column({ type: 'jsonb' })
  context: WorkflowContext;

  /** Why the file could not be read; the run is then `failed`. */
  @Column({ type: 'text', nullable: true })
  parseError: string | null;

  /** sha256 of the file's bytes: the same file again changes nothing. */
  @Column({ type: 'char', length: 64 })
  checksum: string;

  @Index('subforge_runs_workflow_run_id_idx')
  @Column({ type: 'uuid', nullable: true })
  workflowRunId: string | null;

  /** The mirrored run stays in history when its file goes; this row does not. */
  @ManyToOne(() => WorkflowRunEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({
    name: 'workflow_run_id',
    foreignKeyConstraintName: 'subforge_runs_workflow_run_id_fkey',
  })
  workflowRun?: WorkflowRunEntity | null;

  /** The context's own `created_at`, else when it was first imported: the listing order. */
  @Index('subforge_runs_started_at_idx')
  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
