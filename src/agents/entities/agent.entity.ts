import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { AgentStatus } from '../agent-status.js';

/** Figures an agent (or a v1 client) reported about itself; never mixed with derived ones. */
export interface ReportedFigures {
  tasks_completed?: number;
  tasks_failed?: number;
  success_rate?: number;
  avg_response_time?: number;
  uptime_percentage?: number;
  reported_at?: string;
}

@Entity('agents')
@Index('agents_name_agent_type_key', ['name', 'agentType'], { unique: true })
@Index('agents_tags_gin', ['tags'], { type: 'gin' })
@Index('agents_capabilities_gin', ['capabilities'], { type: 'gin' })
// The default list order (newest first, id breaking ties) read from the index.
@Index('agents_created_at_id_idx', ['createdAt', 'id'])
export class AgentEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'agents_pkey' })
  id: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Index('agents_agent_type_idx')
  @Column({ type: 'varchar', length: 100 })
  agentType: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 100, default: 'claude-3-sonnet' })
  model: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tools: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  capabilities: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  configuration: Record<string, unknown>;

  @Index('agents_status_idx')
  @Column({ type: 'varchar', length: 16, default: 'idle' })
  status: AgentStatus;

  /** Set from v1 status updates and heartbeats; not a foreign key (v1 allowed any id). */
  @Column({ type: 'uuid', nullable: true })
  currentTaskId: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  currentTaskTitle: string | null;

  @Column({ type: 'integer', default: 1 })
  maxConcurrentTasks: number;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  reportedFigures: ReportedFigures | null;

  /** A validated configuration upload waiting for `agents.process_configuration`. */
  @Column({ type: 'jsonb', nullable: true })
  pendingConfiguration: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastActivity: Date | null;

  @Index('agents_last_heartbeat_idx')
  @Column({ type: 'timestamptz', nullable: true })
  lastHeartbeat: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
