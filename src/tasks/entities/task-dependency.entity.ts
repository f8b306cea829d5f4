import { Check, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { TaskEntity } from './task.entity.js';

/** "task depends on depends_on": the primary key serves lookups one way, the index the other. */
@Entity('task_dependencies')
@Check('task_dependencies_not_self', '"task_id" <> "depends_on_id"')
@Index('task_dependencies_depends_on_id_idx', ['dependsOnId'])
export class TaskDependencyEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'task_dependencies_pkey' })
  taskId: string;

  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'task_dependencies_pkey' })
  dependsOnId: string;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'task_dependencies_task_id_fkey' })
  task?: TaskEntity;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'depends_on_id',
    foreignKeyConstraintName: 'task_dependencies_depends_on_id_fkey',
  })
  dependsOn?: TaskEntity;
}
