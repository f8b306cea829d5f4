import { MigrationInterface, QueryRunner } from 'typeorm';

/** Agents listed newest first (ties by id) take their page from an index instead of a sort. */
export class AgentsListIndex1795655325241 implements MigrationInterface {
  name = 'AgentsListIndex1795655325241';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."agents_created_at_idx"');
    await queryRunner.query(
      'CREATE INDEX "agents_created_at_id_idx" ON "agents" ("created_at", "id") ',
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "public"."agents_created_at_id_idx"');
    await queryRunner.query('CREATE INDEX "agents_created_at_idx" ON "agents" ("created_at") ');
  }
}
