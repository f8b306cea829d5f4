import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AgentEntity } from './agent.entity.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Numeric severity, so "at least WARNING" is a range condition. */
export const LOG_SEVERITY: Record<LogLevel, number> = {
  DEBUG: 10,
  INFO: 20,
  WARNING: 30,
  ERROR: 40,
  CRITICAL: 50,
};

@Entity('agent_logs')
@Index('agent_logs_agent_id_timestamp_idx', ['agentId', 'timestamp'])
export class AgentLogEntity {
  @PrimaryGeneratedColumn('increment', {
    type: 'bigint',
    primaryKeyConstraintName: 'agent_logs_pkey',
  })
  id: string;

  @Column({ type: 'uuid' })
  agentId: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'agent_logs_agent_id_fkey' })
  agent?: AgentEntity;

  /** Retention deletes by time across agents. */
  @Index('agent_logs_timestamp_idx')
  @Column({ type: 'timestamptz' })
  timestamp: Date;

  @Column({ type: 'varchar', length: 8 })
  level: LogLevel;

  @Column({ type: 'smallint' })
  severity: number;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;

  @Column({ type: 'uuid', nullable: true })
  taskId: string | null;
}
