import { Column, Entity, PrimaryColumn } from 'typeorm';

const PKEY = 'api_metrics_pkey';

/**
 * API requests aggregated per minute, route template, method, status class and
 * credential kind. Instances add to the same row (an upsert per flush), and the
 * fixed-bucket histograms merge by addition, so percentiles hold cluster-wide.
 * The primary key starts with `minute`: it also serves time-range scans and retention.
 */
@Entity('api_metrics')
export class ApiMetricEntity {
  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: PKEY })
  minute: Date;

  @PrimaryColumn({ type: 'varchar', length: 10, primaryKeyConstraintName: PKEY })
  method: string;

  /** The route template (`/api/v2/agents/:id`), never a raw URL. */
  @PrimaryColumn({ type: 'varchar', length: 300, primaryKeyConstraintName: PKEY })
  route: string;

  /** `2xx`, `3xx`, `4xx` or `5xx`. */
  @PrimaryColumn({ type: 'varchar', length: 3, primaryKeyConstraintName: PKEY })
  statusClass: string;

  /** `user`, `api_key`, `agent_key`, `anonymous` or `none`. */
  @PrimaryColumn({ type: 'varchar', length: 16, primaryKeyConstraintName: PKEY })
  credential: string;

  @Column({ type: 'integer' })
  count: number;

  @Column({ type: 'double precision' })
  sumMs: number;

  @Column({ type: 'double precision' })
  minMs: number;

  @Column({ type: 'double precision' })
  maxMs: number;

  /** Counts per latency bucket (api-metrics/histogram.ts). */
  @Column({ type: 'integer', array: true })
  histogram: number[];
}
