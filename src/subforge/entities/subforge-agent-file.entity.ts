import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { AgentEntity } from '../../agents/entities/agent.entity.js';

/** A `.claude/agents/*.md` file as last imported, and the agent it describes. */
@Entity('subforge_agent_files')
export class SubforgeAgentFileEntity {
  /** The file name under `.claude/agents/`. */
  @PrimaryColumn({
    type: 'varchar',
    length: 255,
    primaryKeyConstraintName: 'subforge_agent_files_pkey',
  })
  fileName: string;

  @Column({ type: 'char', length: 64 })
  checksum: string;

  @Column({ type: 'uuid', nullable: true })
  agentId: string | null;

  @ManyToOne(() => AgentEntity, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({
    name: 'agent_id',
    foreignKeyConstraintName: 'subforge_agent_files_agent_id_fkey',
  })
  agent?: AgentEntity | null;

  /** Why the file could not be imported (no agent is changed then). */
  @Column({ type: 'text', nullable: true })
  error: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
