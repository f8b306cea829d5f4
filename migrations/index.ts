import type { MigrationInterface } from 'typeorm';

/** Every migration class, in order. `npm run migration:generate -- <Name>` prints the line to add. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [];
