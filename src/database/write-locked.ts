import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/**
 * Writes every writable column of an entity that this transaction read under a row
 * lock, in one UPDATE: `save()` would first read the row again to compare. For
 * entities without a version column (it is not bumped here). The update date is
 * set here, on the row and on the entity alike.
 */
export async function writeLocked<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: T,
): Promise<T> {
  const target = entity.constructor as EntityTarget<T>;
  const metadata = manager.connection.getMetadata(target);
  const values: ObjectLiteral = {};
  for (const column of metadata.columns) {
    const written =
      !column.isPrimary &&
      !column.isCreateDate &&
      !column.isVirtual &&
      !column.isGenerated &&
      !column.isVersion &&
      !column.generatedType &&
      column.isUpdate;
    if (!written) continue;
    if (column.isUpdateDate) column.setEntityValue(entity, new Date());
    values[column.propertyPath] = column.getEntityValue(entity);
  }
  await manager.update(
    target,
    metadata.getEntityIdMap(entity)!,
    values as QueryDeepPartialEntity<T>,
  );
  return entity;
}
