import type { DataSource, EntityManager } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { AgentFiguresQuery } from './agent-figures.query.js';
import { NO_FIGURES } from './agent.mapper.js';

/** A figures row as PostgreSQL answers it: an agent heard for 100 s, up for 50, 3 tasks done. */
const row = (id: string) => ({
  agent_id: id,
  heard: true,
  total_seconds: 100,
  up_seconds: 50,
  changes: 1,
  current_status: 'idle',
  completed: 3,
  failed: 1,
  running: 0,
  avg_ms: 250,
});

/** A pool that answers the figures statement for the agents it names, and records each call. */
function poolOf(known: string[]) {
  const statements: string[][] = [];
  const client = {
    query: async ({ values }: { values: unknown[] }) => {
      const ids = values[0] as string[];
      statements.push(ids);
      return { rows: ids.filter((id) => known.includes(id)).map(row) };
    },
  };
  return { client, statements };
}

describe('AgentFiguresQuery', () => {
  it('reads the figures of agents asked for at the same time in one statement, each agent once, and answers each caller its own', async () => {
    const pool = poolOf(['a', 'b', 'c']);
    const figures = new AgentFiguresQuery({
      driver: { master: pool.client },
    } as unknown as DataSource);
    const [first, second] = await Promise.all([
      figures.forAgents(['a', 'b']),
      figures.forAgents(['b', 'c', 'gone']),
    ]);
    expect(pool.statements).toEqual([['a', 'b', 'c', 'gone']]);
    expect([...first.keys()]).toEqual(['a', 'b']);
    expect([...second.keys()]).toEqual(['b', 'c', 'gone']);
    expect(first.get('a')).toEqual({
      tasksCompleted: 3,
      tasksFailed: 1,
      running: 0,
      avgResponseTimeMs: 250,
      uptimePercentage: 50,
    });
    expect(second.get('gone')).toBe(NO_FIGURES);
  });

  it('reads again for a caller that asks while a read is under way, so that it sees what was committed before it asked', async () => {
    const pool = poolOf(['a']);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const answer = pool.client.query;
    pool.client.query = async (query) => {
      if (pool.statements.length === 0) {
        const rows = answer(query);
        await held;
        return rows;
      }
      return answer(query);
    };
    const figures = new AgentFiguresQuery({
      driver: { master: pool.client },
    } as unknown as DataSource);
    const first = figures.forAgents(['a']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pool.statements).toEqual([['a']]);
    const second = figures.forAgents(['a']);
    release();
    await Promise.all([first, second]);
    expect(pool.statements).toEqual([['a'], ['a']]);
  });

  it('reads more than a page of agents alone, in one statement', async () => {
    const pool = poolOf([]);
    const figures = new AgentFiguresQuery({
      driver: { master: pool.client },
    } as unknown as DataSource);
    const all = Array.from({ length: 600 }, (_, i) => `agent-${i}`);
    await Promise.all([figures.forAgents(all), figures.forAgents(['a'])]);
    expect(pool.statements.map((ids) => ids.length).sort((x, y) => x - y)).toEqual([1, 600]);
  });

  it('reads inside a transaction on its own connection, apart from the other callers', async () => {
    const shared = poolOf(['a']);
    const own = poolOf(['a']);
    const figures = new AgentFiguresQuery({
      driver: { master: shared.client },
    } as unknown as DataSource);
    const transaction = {
      queryRunner: { isReleased: false, connect: async () => own.client },
    } as unknown as EntityManager;
    await Promise.all([figures.forAgents(['a'], transaction), figures.forAgents(['a'])]);
    expect(own.statements).toEqual([['a']]);
    expect(shared.statements).toEqual([['a']]);
  });
});
