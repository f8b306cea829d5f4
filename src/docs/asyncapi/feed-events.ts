import type { FeedEventName } from '../../dashboard/dashboard-feed.js';
import { enumOf, int, type Json, nullable, num, obj, str } from './schema.js';

const DASHBOARD_PRIORITY = enumOf(['low', 'medium', 'high']);
const counts = (names: string[]) => obj(Object.fromEntries(names.map((name) => [name, num])));

/**
 * Events of namespace / (the existing dashboard's feed, CONTRACT §4), keyed by the feed's own
 * event map: an event added to FeedEventMap without its schema here does not compile.
 */
export const FEED_EVENTS: { [K in FeedEventName | 'pong']: { summary: string; payload: Json } } = {
  agent_status_update: {
    summary: 'An agent changed (or was deleted: {agentId, id, deleted: true})',
    payload: {
      oneOf: [
        obj({
          agentId: str(),
          id: str(),
          name: str(),
          type: nullable(str()),
          status: enumOf(['active', 'busy', 'idle', 'error']),
          lastActive: str('Relative time ("just now", "2 minutes ago")'),
          tasksCompleted: int,
          currentTask: nullable(str()),
          performance: counts(['successRate', 'avgResponseTime', 'totalTasks']),
        }),
        obj({ agentId: str(), id: str(), deleted: { const: true } }),
      ],
    },
  },
  task_update: {
    summary:
      'A task was created, changed or deleted: the home row flat, the board card in task (not on deletes)',
    payload: obj(
      {
        action: enumOf(['create', 'update', 'delete']),
        taskId: str(),
        id: str(),
        title: str(),
        agent: nullable(str()),
        status: enumOf(['pending', 'in_progress', 'completed', 'failed']),
        priority: DASHBOARD_PRIORITY,
        timestamp: str('Relative time'),
        duration: { ...num, description: 'Seconds' },
        task: obj(
          {
            id: str(),
            title: str(),
            description: str(),
            status: enumOf(['todo', 'in_progress', 'review', 'done']),
            priority: DASHBOARD_PRIORITY,
            agent: str(),
            assignee: str(),
            tags: { type: 'array', items: str() },
            createdAt: str(),
            updatedAt: str(),
            dueDate: str(),
            estimatedTime: int,
            actualTime: int,
            dependencies: { type: 'array', items: str() },
          },
          [
            'id',
            'title',
            'description',
            'status',
            'priority',
            'tags',
            'createdAt',
            'updatedAt',
            'dependencies',
          ],
        ),
      },
      ['action', 'taskId', 'id', 'title', 'status', 'priority', 'timestamp'],
    ),
  },
  workflow_event: {
    summary: 'A workflow, run or SubForge run changed',
    payload: obj({
      workflowId: nullable(str()),
      runId: nullable(str()),
      event: str(),
      status: nullable(str()),
      progress: nullable(num),
    }),
  },
  system_metrics_update: {
    summary: 'The metrics snapshot',
    payload: { type: 'object', additionalProperties: true },
  },
  dashboard_update: {
    summary: 'The dashboard figures, complete',
    payload: obj({
      agents: counts(['total', 'active', 'idle', 'error']),
      tasks: counts(['completed', 'pending', 'failed', 'total']),
      system: counts(['uptime', 'cpu', 'memory', 'connections']),
    }),
  },
  system_alert: {
    summary: 'A system notification sent without a room or to system',
    payload: { type: 'object', additionalProperties: true },
  },
  pong: {
    summary: 'The answer to ping',
    payload: obj({ timestamp: str() }),
  },
};
