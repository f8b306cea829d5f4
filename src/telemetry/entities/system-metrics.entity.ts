import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type SnapshotSource = 'collector' | 'on_demand' | 'reported';

/**
 * A stored system metrics snapshot: everything measured, as JSONB, plus the figures
 * charts and filters read most as plain columns. Rows are never updated.
 */
@Entity('system_metrics')
export class SystemMetricsEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'system_metrics_pkey' })
  id: string;

  @Index('system_metrics_recorded_at_idx')
  @Column({ type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;

  /** `collector` (the scheduled job), `on_demand` (a read found none fresh), `reported` (v1 POST). */
  @Column({ type: 'varchar', length: 16 })
  source: SnapshotSource;

  /** The process that measured. */
  @Column({ type: 'varchar', length: 64 })
  instanceId: string;

  @Column({ type: 'double precision', nullable: true })
  cpuPercent: number | null;

  @Column({ type: 'double precision', nullable: true })
  memoryPercent: number | null;

  @Column({ type: 'double precision', nullable: true })
  diskPercent: number | null;

  @Column({ type: 'double precision', nullable: true })
  loadPercent: number | null;

  @Column({ type: 'integer', nullable: true })
  connections: number | null;

  @Column({ type: 'double precision', nullable: true })
  requestsPerMinute: number | null;

  @Column({ type: 'double precision', nullable: true })
  errorRate: number | null;

  @Column({ type: 'double precision', nullable: true })
  latencyP95Ms: number | null;

  @Column({ type: 'boolean', nullable: true })
  isHealthy: boolean | null;

  @Column({ type: 'jsonb' })
  snapshot: Record<string, unknown>;

  /** Figures a client reported (v1 `POST /system/metrics`); never mixed into the measured ones. */
  @Column({ type: 'jsonb', nullable: true })
  reported: Record<string, unknown> | null;
}
