import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The event history behind replay: one row per server event on /v2. Ids come from
 * a sequence under an advisory lock, so they are committed in increasing order.
 */
@Entity('events')
// A GIN index serves "events of room R after id X".
@Index('events_rooms_gin', ['rooms'], { type: 'gin' })
export class EventEntity {
  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'events_pkey' })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  type: string;

  @Column({ type: 'text', array: true })
  rooms: string[];

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @Index('events_created_at_idx')
  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  createdAt: Date;
}

/** What clients receive: the stored row as the contract's envelope. */
export interface EventEnvelope {
  id: string;
  type: string;
  rooms: string[];
  data: Record<string, unknown>;
  timestamp: string;
}

/** What an append tells of a stored event: its place in the history and its time. */
export type EventStamp = Pick<EventEnvelope, 'id' | 'timestamp'>;

export function toEnvelope(row: {
  id: string | number;
  type: string;
  rooms: string[];
  data: Record<string, unknown>;
  created_at?: Date;
  createdAt?: Date;
}): EventEnvelope {
  const createdAt = row.created_at ?? row.createdAt ?? new Date();
  return {
    id: String(row.id),
    type: row.type,
    rooms: row.rooms,
    data: row.data,
    timestamp: createdAt.toISOString(),
  };
}
