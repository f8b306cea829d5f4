import { BLOCKING_STATUSES, type TaskStatus } from './task-state.js';

/**
 * The dependency graph, pure: cycle detection (iterative, so thousands of tasks never
 * hit a recursion limit), readiness and blockers. Edges point from a task to what it
 * depends on.
 */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

export function graphOf(edges: Iterable<{ taskId: string; dependsOnId: string }>): DependencyGraph {
  const graph = new Map<string, string[]>();
  for (const { taskId, dependsOnId } of edges) {
    const list = graph.get(taskId);
    if (list) list.push(dependsOnId);
    else graph.set(taskId, [dependsOnId]);
  }
  return graph;
}

/**
 * The links of tasks made together (new ids: their only dependents are in the batch),
 * ids in order, as a read shows them. Dependencies outside the batch are listed too.
 */
export function batchLinks(
  tasks: readonly { id: string; dependsOn: readonly string[] }[],
): Map<string, { dependencies: string[]; dependents: string[] }> {
  const links = new Map(
    tasks.map((task) => [
      task.id,
      { dependencies: [...task.dependsOn].sort(), dependents: [] as string[] },
    ]),
  );
  for (const task of tasks)
    for (const dependency of task.dependsOn) links.get(dependency)?.dependents.push(task.id);
  for (const { dependents } of links.values()) dependents.sort();
  return links;
}

/** The shortest chain of dependencies from `from` to `to` (both included), or null. */
export function findPath(graph: DependencyGraph, from: string, to: string): string[] | null {
  if (from === to) return [from];
  const parent = new Map<string, string>([[from, from]]);
  const queue = [from];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (const next of graph.get(node) ?? []) {
      if (parent.has(next)) continue;
      parent.set(next, node);
      if (next === to) {
        const path = [to];
        for (let at = node; at !== from; at = parent.get(at)!) path.push(at);
        path.push(from);
        return path.reverse();
      }
      queue.push(next);
    }
  }
  return null;
}

/**
 * Would "task depends on dependency" close a cycle? It does when the task is already
 * reachable from the dependency; the answer is the cycle, starting and ending at the task.
 */
export function cycleIfAdded(
  graph: DependencyGraph,
  taskId: string,
  dependencyId: string,
): string[] | null {
  const path = findPath(graph, dependencyId, taskId);
  return path ? [taskId, ...path] : null;
}

/** One cycle of the whole graph (first node repeated at the end), or null. */
export function findCycle(graph: DependencyGraph): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  for (const root of graph.keys()) {
    if (state.has(root)) continue;
    // Explicit stack of (node, index of the next edge to follow).
    const stack: [string, number][] = [[root, 0]];
    state.set(root, 'open');
    while (stack.length) {
      const frame = stack[stack.length - 1];
      const edges = graph.get(frame[0]) ?? [];
      if (frame[1] >= edges.length) {
        state.set(frame[0], 'done');
        stack.pop();
        continue;
      }
      const next = edges[frame[1]++];
      const seen = state.get(next);
      if (seen === 'open') {
        const start = stack.findIndex(([node]) => node === next);
        return [...stack.slice(start).map(([node]) => node), next];
      }
      if (!seen) {
        state.set(next, 'open');
        stack.push([next, 0]);
      }
    }
  }
  return null;
}

export interface DependencyState {
  id: string;
  status: TaskStatus;
}

/** Dependencies that keep a task from starting: every one not completed. */
export function blockersOf(dependencies: readonly DependencyState[]): string[] {
  return dependencies.filter((dep) => dep.status !== 'completed').map((dep) => dep.id);
}

/** Dependencies that make a task `blocked`: failed or cancelled ones. */
export function blockingOf(dependencies: readonly DependencyState[]): string[] {
  return dependencies.filter((dep) => BLOCKING_STATUSES.includes(dep.status)).map((dep) => dep.id);
}

/** Ready: pending with every dependency completed. */
export function isReady(status: TaskStatus, dependencies: readonly DependencyState[]): boolean {
  return status === 'pending' && blockersOf(dependencies).length === 0;
}

/**
 * Where the automatic moves take a task given its dependencies: pending with a failed
 * or cancelled dependency → blocked; blocked with none left → pending.
 */
export function settledStatus(
  status: TaskStatus,
  dependencies: readonly DependencyState[],
): TaskStatus {
  const blocking = blockingOf(dependencies).length > 0;
  if (status === 'pending' && blocking) return 'blocked';
  if (status === 'blocked' && !blocking) return 'pending';
  return status;
}
