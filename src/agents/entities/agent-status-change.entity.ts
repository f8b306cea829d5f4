import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { AgentStatus } from '../agent-status.js';
import { AgentEntity } from './agent.entity.js';

/** One row per status change (creation included): the timeline behind uptime. */
@Entity('agent_status_history')
@Index('agent_status_history_agent_id_changed_at_idx', ['agentId', 'changedAt'])
export class AgentStatusChangeEntity {
  @PrimaryGeneratedColumn('increment', {
    type: 'bigint',
    primaryKeyConstraintName: 'agent_status_history_pkey',
  })
  id: string;

  @Column({ type: 'uuid' })
  agentId: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'agent_status_history_agent_id_fkey' })
  agent?: AgentEntity;

  @Column({ type: 'varchar', length: 16 })
  status: AgentStatus;

  @Column({ type: 'varchar', length: 16, nullable: true })
  previousStatus: AgentStatus | null;

  /** What caused it: created, heartbeat, command, sweep, update, workload. */
  @Column({ type: 'varchar', length: 16 })
  reason: string;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  changedAt: Date;
}
