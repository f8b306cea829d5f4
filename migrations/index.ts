import type { MigrationInterface } from 'typeorm';
import { Auth1795631378931 } from './1795631378931-Auth.js';
import { Events1795631781660 } from './1795631781660-Events.js';
import { Agents1795632482627 } from './1795632482627-Agents.js';
import { Jobs1795632516135 } from './1795632516135-Jobs.js';
import { Files1795632908880 } from './1795632908880-Files.js';
import { System1795633006581 } from './1795633006581-System.js';
import { Tasks1795633448855 } from './1795633448855-Tasks.js';
import { Workflows1795636762943 } from './1795636762943-Workflows.js';
import { Subforge1795644904623 } from './1795644904623-Subforge.js';
import { EventAppend1795654471566 } from './1795654471566-EventAppend.js';
import { AgentsListIndex1795655325241 } from './1795655325241-AgentsListIndex.js';
import { SessionVersion1795660000000 } from './1795660000000-SessionVersion.js';
import { StepWaitingReason1796000000000 } from './1796000000000-StepWaitingReason.js';

/** Every migration class, in timestamp order. `npm run migration:generate -- <Name>` prints the line to add. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  Auth1795631378931,
  Events1795631781660,
  Agents1795632482627,
  Jobs1795632516135,
  Files1795632908880,
  System1795633006581,
  Tasks1795633448855,
  Workflows1795636762943,
  Subforge1795644904623,
  EventAppend1795654471566,
  AgentsListIndex1795655325241,
  SessionVersion1795660000000,
  StepWaitingReason1796000000000,
];
