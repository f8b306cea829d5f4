/* Baseline for log ingestion: the service's 1,000-line multi-row INSERT straight into PostgreSQL, no HTTP, no validation. */
import pg from 'pg';
import { clientArgs } from '../lib/proc.js';

interface Args {
  databaseUrl: string;
  agentId: string;
  connections: number;
  seconds: number;
  batch: number;
}

const args = clientArgs<Args>();
const pool = new pg.Pool({ connectionString: args.databaseUrl, max: args.connections });
const levels = Array.from(
  { length: args.batch },
  (_, i) => ['DEBUG', 'INFO', 'WARNING', 'ERROR'][i % 4],
);
const severities = levels.map((level) => ({ DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 })[level]);
const messages = Array.from(
  { length: args.batch },
  (_, i) => `benchmark line ${i}: the agent did a thing worth logging`,
);
let lines = 0;
const deadline = performance.now() + args.seconds * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: args.connections }, async () => {
    while (performance.now() < deadline) {
      // The service's statement for lines without times, details or tasks (AgentLogsRepository).
      await pool.query(
        `INSERT INTO agent_logs (agent_id, timestamp, level, severity, message, details, task_id)
         SELECT $1::uuid, COALESCE(t.timestamp, $8::timestamptz), t.level, t.severity, t.message,
                t.details::jsonb, t.task_id
           FROM unnest($2::timestamptz[], $3::text[], $4::smallint[], $5::text[], $6::text[], $7::uuid[])
             AS t(timestamp, level, severity, message, details, task_id)`,
        [args.agentId, null, levels, severities, messages, null, null, new Date()],
      );
      lines += args.batch;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
await pool.end();
process.stdout.write(`${JSON.stringify({ lines, seconds, lines_per_second: lines / seconds })}\n`);
