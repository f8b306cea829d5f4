import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { FailurePolicy, WorkflowStep } from '../workflow-definition.js';

/** The stored statuses; `running` and `scheduled` are derived from the runs. */
export const STORED_WORKFLOW_STATUSES = [
  'active',
  'inactive',
  'paused',
  'completed',
  'failed',
  'cancelled',
] as const;
export type StoredWorkflowStatus = (typeof STORED_WORKFLOW_STATUSES)[number];

/** Figures v1 clients set (PATCH /progress, PUT): kept beside the derived ones, never mixed. */
export interface ReportedWorkflowFigures {
  progress_percentage?: number;
  total_tasks?: number;
  completed_tasks?: number;
  failed_tasks?: number;
  success_rate?: number;
  quality_score?: number;
  efficiency_score?: number;
  actual_duration_hours?: number;
  agent_utilization?: Record<string, unknown>;
  reported_at?: string;
}

export interface AssignedAgent {
  id: string;
  name: string;
}

@Entity('workflows')
@Index('workflows_tags_gin', ['tags'], { type: 'gin' })
export class WorkflowEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'workflows_pkey' })
  id: string;

  @Index('workflows_name_idx')
  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: StoredWorkflowStatus;

  @Index('workflows_workflow_type_idx')
  @Column({ type: 'varchar', length: 100, nullable: true })
  workflowType: string | null;

  @Index('workflows_project_id_idx')
  @Column({ type: 'varchar', length: 255, nullable: true })
  projectId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  projectName: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  configuration: Record<string, unknown>;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  parameters: Record<string, unknown>;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column({ type: 'boolean', default: false })
  isTemplate: boolean;

  @Column({ type: 'boolean', default: false })
  requiresApproval: boolean;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  assignedAgents: AssignedAgent[];

  /** The definition: validated (unique keys, known dependencies, acyclic) before it is stored. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  steps: WorkflowStep[];

  @Column({ type: 'varchar', length: 16, default: 'fail_fast' })
  failurePolicy: FailurePolicy;

  @Column({ type: 'real', nullable: true })
  estimatedDurationHours: number | null;

  @Column({ type: 'jsonb', nullable: true })
  reportedFigures: ReportedWorkflowFigures | null;

  @Index('workflows_created_at_idx')
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
