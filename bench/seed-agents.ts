/*
 * Bench-only seeding: boots the service's application context (no HTTP) against the
 * benchmark's stores and creates `count` agents through the agents' TypeORM repository
 * (in chunks) and one agent key each through ApiKeysService, the service's own path
 * (not `count` REST calls). Prints `{agents: [{id, key}]}` as its last line.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AgentEntity } from '../src/agents/entities/agent.entity.js';
import { ApiKeysService } from '../src/auth/api-keys.service.js';
import { ANONYMOUS_DASHBOARD_READER } from '../src/auth/principal.js';
import { startService } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/config.js';
import { clientArgs, printResultAndExit } from './lib/proc.js';

interface Args {
  env: Record<string, string>;
  count: number;
}

const args = clientArgs<Args>();
// The worker role builds the application context without an HTTP server.
const service = await startService(loadConfig({ ...args.env, ROLE: 'worker' }));
const agents = service.app.get(DataSource).getRepository(AgentEntity);
const keys = service.app.get(ApiKeysService);
const ids: string[] = [];
for (let i = 0; i < args.count; i += 500) {
  const chunk = Array.from({ length: Math.min(500, args.count - i) }, (_, j) =>
    agents.create({
      name: `heartbeat-agent-${i + j}`,
      agentType: 'bench-heartbeat',
      description: 'Benchmark agent that only sends heartbeats',
      status: 'idle',
      isActive: true,
    }),
  );
  const inserted = await agents.save(chunk, { chunk: 100 });
  ids.push(...inserted.map((agent) => agent.id));
}
const seeded: { id: string; key: string }[] = new Array(ids.length);
let next = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (next < ids.length) {
      const n = next++;
      const created = await keys.create(
        { name: `heartbeat-agent-${n}`, role: 'agent', agent_id: ids[n] },
        ANONYMOUS_DASHBOARD_READER,
      );
      seeded[n] = { id: ids[n], key: created.key };
    }
  }),
);
await service.shutdown();
printResultAndExit({ agents: seeded });
