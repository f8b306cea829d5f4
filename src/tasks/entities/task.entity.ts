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
import { AgentEntity } from '../../agents/entities/agent.entity.js';
import type { TaskPriority, TaskStatus } from '../task-state.js';

@Entity('tasks')
@Index('tasks_tags_gin', ['tags'], { type: 'gin' })
@Index('tasks_assigned_agent_id_status_idx', ['assignedAgentId', 'status'])
export class TaskEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'tasks_pkey' })
  id: string;

  @Column({ type: 'varchar', length: 500 })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Index('tasks_status_idx')
  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: TaskStatus;

  @Index('tasks_priority_idx')
  @Column({ type: 'varchar', length: 16, default: 'medium' })
  priority: TaskPriority;

  @Index('tasks_task_type_idx')
  @Column({ type: 'varchar', length: 100, nullable: true })
  taskType: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column({ type: 'uuid', nullable: true })
  assignedAgentId: string | null;

  /** Deleting an agent (never with tasks in progress) leaves its other tasks unassigned. */
  @ManyToOne(() => AgentEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({
    name: 'assigned_agent_id',
    foreignKeyConstraintName: 'tasks_assigned_agent_id_fkey',
  })
  assignedAgent?: AgentEntity | null;

  /** Plain ids for now: the workflows module owns workflows and runs. */
  @Index('tasks_workflow_id_idx')
  @Column({ type: 'uuid', nullable: true })
  workflowId: string | null;

  @Index('tasks_run_id_idx')
  @Column({ type: 'uuid', nullable: true })
  runId: string | null;

  /** The workflow step this task carries (tasks a run made), unique within its run. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  stepKey: string | null;

  /** 1, then + 1 on every retry: reports for an older attempt are refused. */
  @Column({ type: 'integer', default: 1 })
  attempt: number;

  @Column({ type: 'integer', nullable: true })
  estimatedDurationMinutes: number | null;

  @Column({ type: 'integer', nullable: true })
  actualDurationMinutes: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  /** When it reached completed, failed or cancelled. */
  @Index('tasks_completed_at_idx')
  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'real', default: 0 })
  progressPercentage: number;

  @Column({ type: 'integer', default: 0 })
  subtasksCompleted: number;

  @Column({ type: 'integer', default: 0 })
  subtasksTotal: number;

  @Column({ type: 'real', nullable: true })
  qualityScore: number | null;

  @Column({ type: 'integer', nullable: true })
  complexityScore: number | null;

  @Column({ type: 'integer', nullable: true })
  effortPoints: number | null;

  @Column({ type: 'boolean', default: false })
  isUrgent: boolean;

  @Column({ type: 'boolean', default: false })
  requiresReview: boolean;

  @Column({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** From the last `fail`: whether the agent thinks a retry may succeed. */
  @Column({ type: 'boolean', nullable: true })
  retryable: boolean | null;

  @Index('tasks_due_date_idx')
  @Column({ type: 'timestamptz', nullable: true })
  dueDate: Date | null;

  @Index('tasks_created_at_idx')
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
