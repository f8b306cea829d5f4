import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { BackgroundTaskEntity } from './background-task.entity.js';

/** One line of a background task's log. */
@Entity('background_task_logs')
@Index('background_task_logs_task_idx', ['taskId', 'id'])
export class BackgroundTaskLogEntity {
  @PrimaryGeneratedColumn('increment', {
    type: 'bigint',
    primaryKeyConstraintName: 'background_task_logs_pkey',
  })
  id: string;

  @Column({ type: 'uuid' })
  taskId: string;

  @ManyToOne(() => BackgroundTaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'background_task_logs_task_fkey' })
  task?: BackgroundTaskEntity;

  @Column({ type: 'int', default: 1 })
  attempt: number;

  @Column({ type: 'text' })
  message: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
