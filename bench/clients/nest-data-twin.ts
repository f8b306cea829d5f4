/*
 * What the list's data round trips cost alone: the bare NestJS twin (same versions, no
 * middleware, no guards, no logger) doing nothing else, raw, once per request:
 *   GET /cached: one Redis round trip for a limiter, then the stored answer's GET,
 *     answered as stored (ours makes three: the limiter, the cache versions, the entry);
 *   GET /uncached: the list's two statements (the page with its count, the agents'
 *     figures, the service's own SQL) over `pg`, answered as their rows.
 * No authentication, security headers, CORS, request id, access line, metrics, ORM or
 * validation, and nothing shared between requests.
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

const redis = new Redis(env('TWIN_REDIS_URL'));
const pool = new pg.Pool({ connectionString: env('TWIN_DATABASE_URL'), max: 10 });
const ENTRY = 'bench-data-twin:entry';
const COUNTER = 'bench-data-twin:limit';

// The cached answer is the service's own answer to the list, stored once.
const answer = await fetch(env('TWIN_LIST_URL'), {
  headers: { 'X-API-Key': env('TWIN_API_KEY') },
});
if (!answer.ok) throw new Error(`the list answered ${answer.status}`);
await redis.set(ENTRY, await answer.text());

const PAGE_SQL = `SELECT agent.*, (SELECT COUNT(*) FROM agents counted) AS total_count
  FROM agents agent ORDER BY agent.created_at DESC, agent.id DESC LIMIT 20 OFFSET 0`;

@Controller()
class DataTwinController {
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

@Module({ controllers: [DataTwinController] })
class DataTwinModule {}

const app = await NestFactory.create(DataTwinModule, { logger: false });
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
