import type { MigrationInterface } from 'typeorm';
import { Auth1795631378931 } from './1795631378931-Auth.js';
import { Events1795631781660 } from './1795631781660-Events.js';
import { Agents1795632482627 } from './1795632482627-Agents.js';
import { Tasks1795633448855 } from './1795633448855-Tasks.js';

/** Every migration class, in order. `npm run migration:generate -- <Name>` prints the line to add. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  Auth1795631378931,
  Events1795631781660,
  Agents1795632482627,
  Tasks1795633448855,
];
