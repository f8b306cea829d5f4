import type { ScenarioResult } from '../lib/report.js';
import { httpScenario, JOBS_LIST } from './http.js';
import { jobsScenario } from './jobs.js';
import { fanoutScenario, idleMemoryScenario, replayScenario } from './sockets.js';
import { workflowsScenario } from './workflows.js';

export interface Scenario {
  key: string;
  title: string;
  run(): Promise<ScenarioResult>;
}

export const SCENARIOS: Scenario[] = [
  { key: 'http', title: 'HTTP reads (job list)', run: () => httpScenario(JOBS_LIST, 'http_jobs') },
  { key: 'jobs', title: 'Jobs through the whole system vs bare Bull', run: jobsScenario },
  { key: 'fanout', title: 'Socket.IO fan-out', run: fanoutScenario },
  { key: 'idle', title: 'Socket.IO idle connections', run: idleMemoryScenario },
  { key: 'replay', title: 'Replay of missed events', run: replayScenario },
  {
    key: 'workflows',
    title: 'Workflow orchestration (10 layers × 100 steps, 100 agents)',
    run: workflowsScenario,
  },
];
