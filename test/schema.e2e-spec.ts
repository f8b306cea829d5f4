import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../src/database/data-source.js';
import { ENTITIES } from '../src/entities.js';
import { createTestStores, TestStores } from './support/app.js';

/**
 * The entities and the migrations describe the same schema: what
 * `npm run migration:generate` would write on a freshly migrated database is nothing.
 */
describe('schema', () => {
  let stores: TestStores;

  beforeAll(async () => {
    stores = await createTestStores();
  });

  afterAll(async () => {
    await stores?.drop();
  });

  it('has no drift between the entities and the migrations', async () => {
    const dataSource = createDataSource({
      url: stores.env.DATABASE_URL!,
      poolSize: 2,
      entities: ENTITIES,
    });
    await dataSource.initialize();
    try {
      const sql = await dataSource.driver.createSchemaBuilder().log();
      expect(sql.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
