import type { MigrationInterface } from 'typeorm';
import { Auth1795631378931 } from './1795631378931-Auth.js';

/** Every migration class, in order. `npm run migration:generate -- <Name>` prints the line to add. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [Auth1795631378931];
