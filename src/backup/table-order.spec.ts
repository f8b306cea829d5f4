import { describe, expect, it } from 'vitest';
import { dependencyOrder, orderViolations } from './table-order.js';

describe('table order', () => {
  const edges = [
    { child: 'tasks', parent: 'agents' },
    { child: 'task_dependencies', parent: 'tasks' },
    { child: 'agent_status_history', parent: 'agents' },
    { child: 'api_keys', parent: 'agents' },
    { child: 'tree', parent: 'tree' },
  ];

  it('puts referenced tables first and otherwise keeps the given order', () => {
    expect(
      dependencyOrder(
        ['users', 'task_dependencies', 'tasks', 'agent_status_history', 'agents', 'tree'],
        edges,
      ),
    ).toEqual(['users', 'agents', 'tasks', 'task_dependencies', 'agent_status_history', 'tree']);
  });

  it('ignores edges to tables outside the set', () => {
    expect(dependencyOrder(['tasks'], edges)).toEqual(['tasks']);
  });

  it('refuses a cycle', () => {
    expect(() =>
      dependencyOrder(
        ['a', 'b'],
        [
          { child: 'a', parent: 'b' },
          { child: 'b', parent: 'a' },
        ],
      ),
    ).toThrow(/cycle among a, b/);
  });

  it('names the edges an order breaks', () => {
    expect(orderViolations(['tasks', 'agents', 'users'], edges)).toEqual([
      { child: 'tasks', parent: 'agents' },
    ]);
    expect(orderViolations(['agents', 'tasks', 'task_dependencies'], edges)).toEqual([]);
  });
});
