import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../roles.js';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'api_keys_pkey' })
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  role: Role;

  @Index('api_keys_agent_id_idx')
  @Column({ type: 'uuid', nullable: true })
  agentId: string | null;

  /** SHA-256 of the key, hex. The key itself is never stored. */
  @Index('api_keys_key_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  keyHash: string;

  /** First characters of the key, to recognise it in lists. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Id of the user or API key that created it; null for keys made at bootstrap. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  createdBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
