import { MigrationInterface, QueryRunner } from 'typeorm';

/** Why a ready step of a run waits for an agent, and the same in words. */
export class StepWaitingReason1796000000000 implements MigrationInterface {
  name = 'StepWaitingReason1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'ALTER TABLE "workflow_run_steps" ADD "waiting_reason" character varying(32)',
    );
    await queryRunner.query('ALTER TABLE "workflow_run_steps" ADD "waiting_detail" text');
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE "workflow_run_steps" DROP COLUMN "waiting_detail"');
    await queryRunner.query('ALTER TABLE "workflow_run_steps" DROP COLUMN "waiting_reason"');
  }
}
