import { MigrationInterface, QueryRunner } from 'typeorm';

/** A user's sign-in tokens carry this number; raising it ends every session of that user. */
export class SessionVersion1795660000000 implements MigrationInterface {
  name = 'SessionVersion1795660000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" ADD "session_version" integer NOT NULL DEFAULT 0');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "users" DROP COLUMN "session_version"');
  }
}
