/*
 * The floor under the list targets: the bare NestJS twin (same versions, no middleware,
 * no guards, no logger) doing nothing but the data round trips a list read cannot do
 * without, sent raw:
 *   GET /cached: the limiter's one Redis round trip, then the stored answer's GET,
 *     answered as stored (ours makes three: the limiter, the cache versions, the entry);
 *   GET /uncached: the list's two statements (the page with its count, the agents'
 *     figures, the service's own SQL) over `pg`, answered as their rows.
 * No authentication, security headers, CORS, request id, access line, metrics, ORM or
 * validation. If this floor is below a target's ratio, no pipeline on top of it meets it.
 */
import 'reflect-metadata';
import { Controller, Get, Header, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import pg from 'pg';
import { FIGURES_SQL, UPTIME_WINDOW_MS } from '../../src/agents/agent-figures.query.js';
import { UP_STATUSES } from '../../src/agents/agent-status.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const redis = new Redis(env('FLOOR_REDIS_URL'));
const pool = new pg.Pool({ connectionString: env('FLOOR_DATABASE_URL'), max: 10 });
const ENTRY = 'bench-floor:entry';
const COUNTER = 'bench-floor:limit';

// The cached answer is the service's own answer to the list, stored once.
const answer = await fetch(env('FLOOR_LIST_URL'), {
  headers: { 'X-API-Key': env('FLOOR_API_KEY') },
});
if (!answer.ok) throw new Error(`the list answered ${answer.status}`);
await redis.set(ENTRY, await answer.text());

const PAGE_SQL = `SELECT agent.*, (SELECT COUNT(*) FROM agents counted) AS total_count
  FROM agents agent ORDER BY agent.created_at DESC, agent.id DESC LIMIT 20 OFFSET 0`;

@Controller()
class FloorController {
  @Get('cached')
  @Header('Content-Type', 'application/json; charset=utf-8')
  async cached(): Promise<string | null> {
    await redis.incr(COUNTER);
    return redis.get(ENTRY);
  }

  @Get('uncached')
  async uncached() {
    const page = await pool.query<{ id: string; total_count: string }>(PAGE_SQL);
    const figures = await pool.query({
      name: 'agent_figures',
      text: FIGURES_SQL,
      values: [
        page.rows.map((row) => row.id),
        new Date(Date.now() - UPTIME_WINDOW_MS),
        UP_STATUSES,
      ],
    });
    return { items: page.rows, figures: figures.rows, total: Number(page.rows[0]?.total_count) };
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

const app = await NestFactory.create(FloorModule, { logger: false });
await app.listen(0, '127.0.0.1');
process.stdout.write(`listening on ${(await app.getUrl()).replace('[::1]', '127.0.0.1')}\n`);
process.once(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => Promise.all([pool.end(), redis.quit()]))
      .then(() => process.exit(0)),
);
