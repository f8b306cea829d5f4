import { describe, expect, it } from 'vitest';
import {
  batchLinks,
  blockersOf,
  blockingOf,
  cycleIfAdded,
  findCycle,
  findPath,
  graphOf,
  isReady,
  settledStatus,
} from './task-graph.js';

const edges = (pairs: [string, string][]) =>
  graphOf(pairs.map(([taskId, dependsOnId]) => ({ taskId, dependsOnId })));

describe('task graph', () => {
  it('lists the links of tasks made together in id order, as a read lists them', () => {
    const links = batchLinks([
      { id: 'd', dependsOn: [] },
      { id: 'b', dependsOn: ['d'] },
      { id: 'c', dependsOn: ['existing', 'd', 'b'] },
      { id: 'a', dependsOn: ['d'] },
    ]);
    expect(Object.fromEntries(links)).toEqual({
      d: { dependencies: [], dependents: ['a', 'b', 'c'] },
      b: { dependencies: ['d'], dependents: ['c'] },
      c: { dependencies: ['b', 'd', 'existing'], dependents: [] },
      a: { dependencies: ['d'], dependents: [] },
    });
  });

  it('finds the shortest dependency path', () => {
    const graph = edges([
      ['a', 'b'],
      ['b', 'c'],
      ['a', 'c'],
      ['c', 'd'],
    ]);
    expect(findPath(graph, 'a', 'd')).toEqual(['a', 'c', 'd']);
    expect(findPath(graph, 'd', 'a')).toBeNull();
    expect(findPath(graph, 'b', 'b')).toEqual(['b']);
  });

  it('names the cycle an edge would close, and only then', () => {
    const graph = edges([
      ['b', 'c'],
      ['c', 'a'],
    ]);
    // a depends on b: b -> c -> a -> b.
    expect(cycleIfAdded(graph, 'a', 'b')).toEqual(['a', 'b', 'c', 'a']);
    expect(cycleIfAdded(graph, 'b', 'a')).toBeNull();
    expect(cycleIfAdded(graph, 'x', 'x')).toEqual(['x', 'x']);
  });

  it('handles chains of thousands of tasks without recursion', () => {
    const n = 20_000;
    const pairs: [string, string][] = [];
    for (let i = 0; i < n - 1; i++) pairs.push([`t${i}`, `t${i + 1}`]);
    const chain = edges(pairs);
    expect(findCycle(chain)).toBeNull();
    const cycle = cycleIfAdded(chain, `t${n - 1}`, 't0');
    expect(cycle).toHaveLength(n + 1);
    expect(cycle![0]).toBe(`t${n - 1}`);
    expect(cycle![1]).toBe('t0');
    expect(cycle![n]).toBe(`t${n - 1}`);

    const closed = edges([...pairs, [`t${n - 1}`, 't0']]);
    const found = findCycle(closed)!;
    expect(found[0]).toBe(found[found.length - 1]);
    expect(found).toHaveLength(n + 1);
  });

  it('finds a cycle in a wide graph with diamonds (which are not cycles)', () => {
    const diamond = edges([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'd'],
      ['c', 'd'],
    ]);
    expect(findCycle(diamond)).toBeNull();
    const looped = edges([
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'd'],
      ['c', 'd'],
      ['d', 'e'],
      ['e', 'c'],
    ]);
    const cycle = findCycle(looped)!;
    expect(cycle[0]).toBe(cycle[cycle.length - 1]);
    expect([...cycle.slice(1)].sort()).toEqual(['c', 'd', 'e']);
  });

  it('computes blockers, readiness and the automatic moves', () => {
    const deps = [
      { id: 'x', status: 'completed' as const },
      { id: 'y', status: 'in_progress' as const },
      { id: 'z', status: 'failed' as const },
    ];
    expect(blockersOf(deps)).toEqual(['y', 'z']);
    expect(blockingOf(deps)).toEqual(['z']);
    expect(isReady('pending', deps)).toBe(false);
    expect(isReady('pending', [deps[0]])).toBe(true);
    expect(isReady('pending', [])).toBe(true);
    expect(isReady('blocked', [deps[0]])).toBe(false);
    expect(settledStatus('pending', deps)).toBe('blocked');
    expect(settledStatus('blocked', deps.slice(0, 2))).toBe('pending');
    expect(settledStatus('blocked', deps)).toBe('blocked');
    expect(settledStatus('in_progress', deps)).toBe('in_progress');
    expect(settledStatus('pending', [{ id: 'c', status: 'cancelled' }])).toBe('blocked');
  });
});
