import type { ScenarioResult } from '../lib/report.js';
import { AGENTS_LIST, logIngestionScenario } from './agents.js';
import { fileStoresScenario } from './file-stores.js';
import { heartbeatsScenario } from './heartbeats.js';
import { httpScenario } from './http.js';
import { jobsScenario } from './jobs.js';
import { parsingScenario } from './parsing.js';
import { fanoutScenario, idleMemoryScenario, replayScenario } from './sockets.js';
import { subforgeScenario } from './subforge.js';
import { uploadsScenario } from './uploads.js';
import { workflowsScenario } from './workflows.js';

export interface Scenario {
  key: string;
  title: string;
  run(): Promise<ScenarioResult>;
}

export const SCENARIOS: Scenario[] = [
  {
    key: 'http',
    title: 'HTTP reads (agent list)',
    run: () => httpScenario(AGENTS_LIST, 'http_agents'),
  },
  { key: 'logs', title: 'Agent log ingestion', run: logIngestionScenario },
  { key: 'jobs', title: 'Jobs through the whole system vs bare Bull', run: jobsScenario },
  { key: 'fanout', title: 'Socket.IO fan-out', run: fanoutScenario },
  { key: 'idle', title: 'Socket.IO idle connections', run: idleMemoryScenario },
  {
    key: 'heartbeats',
    title: '10,000 agents heartbeating over Socket.IO',
    run: heartbeatsScenario,
  },
  { key: 'replay', title: 'Replay of missed events', run: replayScenario },
  {
    key: 'workflows',
    title: 'Workflow orchestration (10 layers × 100 steps, 100 agents)',
    run: workflowsScenario,
  },
  { key: 'uploads', title: 'File uploads vs plain express', run: uploadsScenario },
  {
    key: 'stores',
    title: 'File stores: 200 MiB through local disk and S3',
    run: fileStoresScenario,
  },
  { key: 'subforge', title: 'SubForge project import (500 runs)', run: subforgeScenario },
  { key: 'parsing', title: 'Configuration parsing under /health probes', run: parsingScenario },
];
